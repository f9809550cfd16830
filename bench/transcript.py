"""Record example conversations through the REST channel of the real stack, as Markdown.

Used to refresh the README's example transcripts:
    .venv/bin/python -m bench.transcript > /tmp/transcripts.md
With --records, each outcome's summary for the doctor and its FHIR QuestionnaireResponse follow
the conversation (what a clinic's system receives).
Each script is a list of patient messages; a message "[Title]" presses that button of the last
bot reply, as a chat widget would.
"""

from __future__ import annotations

import argparse
import json

from tooling.stack import Stack, running_stack

SCRIPTS: dict[str, list[str]] = {
    "Emergency in the first message": [
        "my back has been bad for a week and today I wet myself without noticing,"
        " and it feels numb down there",
    ],
    "A 'no, but...' is read back, with the advice, before anything is recorded": [
        "hello, my lower back has been sore since early last month, I'm 58",
        "[Yes, I agree]",
        "no not really, i do keep weeing myself a bit since the weekend but thats my age isnt it",
    ],
    "Routine, with two questions on the way, ending with the summary": [
        "hi",
        "[Yes, I agree]",
        "I pulled something in my lower back lifting boxes at work 4 days ago. Hurts when I bend, I'm 34",
        "[No]",
        "what's cauda equina syndrome?",
        "no",
        "why do you ask?",
        "nope",
        "do I need an MRI?",
        "[No]",
        "no",
        "[No]",
        "no",
        "no",
        "no",
        "no",
    ],
    "Emergency revealed while answering another question": [
        "I had breast cancer in 2019 and now my mid back aches",
        "[Yes, I agree]",
        "no",
        "no, but my left leg keeps going numb and tingly",
    ],
}


MAX_EXTRA_ANSWERS = 10  # more than the questions left after any script


def press(stack: Stack, sender: str, last: list[dict], title: str) -> list[dict]:
    for reply in last:
        for button in reply.get("buttons") or []:
            if button["title"] == title:
                return stack.say(sender, button["payload"])
    raise SystemExit(f"no button {title!r} in the last reply")


def render(replies: list[dict]) -> list[str]:
    lines = []
    for reply in replies:
        if reply.get("text"):
            text = reply["text"].replace("\n", "\n>     ")
            lines.append(f">   **bot:** {text}")
        if reply.get("buttons"):
            lines.append(">     " + " ".join(f"[{b['title']}]" for b in reply["buttons"]))
        custom = reply.get("custom") or {}
        if "triage" in custom:
            t = custom["triage"]
            lines.append(f">     `custom.triage`: level={t['level']} rules={t['rules']}")
    return lines


def print_records(replies: list[dict]) -> None:
    """The outcome's summary and FHIR resource, as the clinic's system receives them."""
    custom: dict = {}
    for reply in replies:
        custom.update(reply.get("custom") or {})
    if "triage" not in custom:
        return
    print("Summary for the doctor (`custom.summary`):\n")
    print("```json\n" + json.dumps(custom.get("summary"), indent=2, ensure_ascii=False) + "\n```\n")
    print("FHIR R4 QuestionnaireResponse (`custom.fhir`):\n")
    print("```json\n" + json.dumps(custom.get("fhir"), indent=2, ensure_ascii=False) + "\n```\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", action="store_true", help="print the summary and FHIR resource too")
    args = parser.parse_args()
    with running_stack() as stack:
        for number, (title, script) in enumerate(SCRIPTS.items()):
            sender = f"transcript-{number}"
            print(f"**{title}**\n")
            last: list[dict] = []
            for message in script:
                if message.startswith("[") and message.endswith("]"):
                    last = press(stack, sender, last, message[1:-1])
                    print(f">   **patient:** *(presses {message})*")
                else:
                    last = stack.say(sender, message)
                    print(f">   **patient:** {message}")
                print("\n".join(render(last)))
                print(">")
            # Then answer "no" to anything still asked, until the outcome.
            for _ in range(MAX_EXTRA_ANSWERS):
                if any("triage" in (r.get("custom") or {}) for r in last):
                    break
                last = stack.say(sender, "no")
                print(">   **patient:** no")
                print("\n".join(render(last)))
                print(">")
            print()
            if args.records:
                print_records(last)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
