#!/usr/bin/env python3
"""Checks the reply fixtures against manifest.json and prints what each one holds.

For every fixture: it parses with email.policy.default and email.policy.strict (no defects allowed for
the ones real clients produce), checks the line endings, that the manifest's token occurrences match the
raw bytes, and prints the MIME tree with content types, charsets and transfer encodings, and the decoded
first lines of the reply text.

It also runs a deliberately small REFERENCE extraction of "the first non-blank line of the reply's own
text" (skip '>' quotes and attribution lines, stop at Outlook/Gmail/Samsung header blocks and signatures,
fall back to HTML when there is no text/plain) and compares it with expected.line, so a fixture whose text
does not say what the manifest claims is caught. It is a sanity check of the fixtures, not kept's parser.

Text is read as RFC 2781 and RFC 3676 say, which Python's email package does not do by itself: charset
utf-16 without a byte order mark is big-endian (Python's codec would take the machine's order), and
format=flowed text is unwrapped (soft line breaks joined, DelSp=yes honoured, space-stuffing removed).

    python3 check.py            # all fixtures
    python3 check.py 05 18      # only files starting with these prefixes
"""
import email
import email.policy
import html
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

ATTRIBUTION = [
    r"^On\b.+\bwrote:$",                         # en: Gmail, Apple, Thunderbird, mutt, K-9, Proton, Fastmail
    r"^Am\b.+\bschrieb\b.*:$",                   # de
    r"^Le\b.+\ba [ée]crit\s?:$",                 # fr (the space before ':' may be U+00A0)
    r"^El\b.+\bescribi[óo]:$",                   # es
    r"^Op\b.+\b(schreef|het volgende geschreven)\b.*:$",   # nl (Gmail / Apple)
    r"^Il\b.+\bha scritto:$",                    # it
    r"^Em\b.+\bescreveu:$",                      # pt
    r"^(Den\b)?.+\bskrev\b.*:$",                 # sv/da/no
]
QUOTE_START = [
    r"^-{5}\s?Original Message\s?-{5}$",         # Outlook plain text
    r"^_{20,}$",                                 # Outlook mobile / OWA plain text
    r"^-{8} Original message -{8}$",             # Samsung / Android
    r"^-{10} Forwarded message -{9}$",           # Gmail forward
]
SIGNATURE = [
    r"^-- $", r"^--$",
    r"^Sent from my (iPhone|iPad|Galaxy|Android)", r"^Verstuurd vanaf mijn iPhone", r"^Von meinem iPhone gesendet",
    r"^Envoy[ée] de mon iPhone", r"^Get Outlook for (iOS|Android)", r"^Sent with Proton Mail",
]


def matches(patterns, line):
    return any(re.search(p, line) for p in patterns)


def html_to_text(h):
    """Own text of an HTML body: cut at the first known quote container, then strip tags."""
    cut = len(h)
    for marker in ['<div id="divRplyFwdMsg"', '<hr ', '<div class="gmail_quote', '<blockquote', 'class="protonmail_quote"',
                   '<div id="appendonsend"']:
        i = h.find(marker)
        if i >= 0:
            cut = min(cut, i)
    h = h[:cut]
    h = re.sub(r"(?is)<(style|head)\b.*?</\1>", "", h)
    h = re.sub(r"(?i)<br\s*/?>|</(div|p)>", "\n", h)
    h = re.sub(r"<[^>]+>", "", h)
    return html.unescape(h)


UTF16 = ("utf-16", "utf16")


def decoded_text(part):
    """A text part's text: get_content(), except for charset utf-16 (RFC 2781 §4.3: a BOM decides the byte
    order and is not text; without one the text is big-endian). Decoding errors raise."""
    charset = (part.get_content_charset() or "").lower()
    if charset in UTF16:
        raw = part.get_payload(decode=True) or b""
        if raw[:2] == b"\xff\xfe":
            return raw[2:].decode("utf-16-le")
        if raw[:2] == b"\xfe\xff":
            return raw[2:].decode("utf-16-be")
        return raw.decode("utf-16-be")
    if charset in ("utf-16le", "utf-16be"):
        return (part.get_payload(decode=True) or b"").decode(charset)   # strict, unlike get_content()
    return part.get_content()


def unflow(text, delsp=False):
    """RFC 3676 §4.2-4.4: a line ending in a space (other than the signature separator '-- ') is joined to the
    next line of the same quote depth; with DelSp=yes that trailing space is deleted first; one leading space
    after the quote marks is stuffing. Quoted paragraphs come back as '> ' (one '>' per level) + text."""
    out = []
    para, depth_of = None, 0

    def flush():
        out.append((">" * depth_of + (" " + para if para else "")) if depth_of else para)

    for line in text.replace("\r\n", "\n").split("\n"):
        depth = len(line) - len(line.lstrip(">"))
        body = line[depth:]
        if body.startswith(" "):
            body = body[1:]
        flowed = body.endswith(" ") and body != "-- "
        if flowed and delsp:
            body = body[:-1]
        if para is not None and depth != depth_of:
            flush()     # a flowed line followed by another quote depth: the paragraph ends there (§4.5)
            para = None
        para, depth_of = (body if para is None else para + body), depth
        if not flowed:
            flush()
            para = None
    if para is not None:
        flush()
    return "\n".join(out)


def text_of(part):
    """The text a reader sees: decoded by charset, then unwrapped when it is format=flowed."""
    text = decoded_text(part)
    if (part.get_param("format") or "").lower() == "flowed":
        text = unflow(text, delsp=(part.get_param("delsp") or "").lower() == "yes")
    return text


def own_first_line(msg):
    plain = msg.get_body(preferencelist=("plain",))
    if plain is not None:
        text = text_of(plain)
    else:
        h = msg.get_body(preferencelist=("html",))
        if h is None:
            return None, "no text body"
        text = html_to_text(h.get_content())
    lines = text.replace("\r\n", "\n").split("\n")
    i = 0
    while i < len(lines):
        raw = lines[i]
        line = raw.strip(" \t\u00a0\ufeff")
        two = (line + " " + lines[i + 1].strip()) if i + 1 < len(lines) else line
        if raw.startswith(">"):
            i += 1
            continue
        if matches(ATTRIBUTION, line):
            i += 1
            continue
        if i + 1 < len(lines) and matches(ATTRIBUTION, two) and not lines[i + 1].startswith(">"):
            i += 2
            continue
        if matches(QUOTE_START, line):
            return None, "quote block"
        if re.match(r"^From: .+", line) and any(re.match(r"^(Sent|Date): ", l.strip()) for l in lines[i + 1:i + 3]):
            return None, "From:/Sent: block"
        if matches(SIGNATURE, raw.rstrip("\n")):
            # skip the signature block up to the next blank-line-separated quote/attribution
            i += 1
            while i < len(lines) and lines[i].strip() and not lines[i].startswith(">"):
                i += 1
            continue
        if line:
            return raw, None
        i += 1
    return None, "no own text"


def tree(part, depth=0, out=None):
    out = [] if out is None else out
    ct = part.get_content_type()
    params = {k: v for k, v in part.get_params() or [] if v}
    cte = part.get("Content-Transfer-Encoding", "(none)")
    desc = f"{'  ' * depth}{ct}"
    if "charset" in params:
        desc += f"; charset={params['charset']}"
    if "format" in params:
        desc += f"; format={params['format']}"
    if "delsp" in params:
        desc += f"; delsp={params['delsp']}"
    if ct.startswith("multipart/"):
        desc += f"  boundary={part.get_boundary()!r}"
    else:
        desc += f"  cte={cte}"
    out.append(desc)
    if part.is_multipart():
        for sub in part.iter_parts() if ct.startswith("multipart/") else part.get_payload():
            tree(sub, depth + 1, out)
    return out


def header_defects(msg, where=""):
    found = []
    for name, value in msg.items():
        for d in getattr(value, "defects", ()):
            found.append(f"{where}{name}: {type(d).__name__}: {d}")
    for d in msg.defects:
        found.append(f"{where}(message): {type(d).__name__}: {d}")
    if msg.is_multipart():
        subs = msg.get_payload()
        for i, sub in enumerate(subs if isinstance(subs, list) else [subs]):
            if isinstance(sub, email.message.Message):
                found += header_defects(sub, f"{where}part[{i}].")
    return found


def decode_all(msg):
    """Decodes every leaf part the way a reader would; returns problems."""
    problems = []
    for p in msg.walk():
        if p.is_multipart() or p.get_content_maintype() == "message":
            continue
        try:
            c = decoded_text(p) if p.get_content_maintype() == "text" else p.get_content()
            if isinstance(c, str) and "\ufffd" in c:
                problems.append(f"{p.get_content_type()}: U+FFFD after decoding (wrong charset?)")
        except Exception as e:   # noqa: BLE001 - report, never stop
            problems.append(f"{p.get_content_type()}: {type(e).__name__}: {e}")
    return problems


def main(prefixes):
    manifest = json.load(open(os.path.join(HERE, "manifest.json"), encoding="utf-8"))
    files = sorted(f for f in os.listdir(HERE) if f.endswith(".eml"))
    listed = [e["file"] for e in manifest["fixtures"]]
    failures = []
    if sorted(listed) != files:
        failures.append(f"manifest lists {sorted(set(listed) ^ set(files))} differently from the directory")
    summary = []
    for e in manifest["fixtures"]:
        name = e["file"]
        if prefixes and not any(name.startswith(p) for p in prefixes):
            continue
        data = open(os.path.join(HERE, name), "rb").read()
        print("=" * 100)
        print(f"{name}  [{e['client']}]")
        fail = []

        # line endings
        lf = data.count(b"\n")
        crlf = data.count(b"\r\n")
        if e["line_endings"] == "CRLF" and crlf != lf:
            fail.append(f"{lf - crlf} bare LF in a CRLF fixture")
        if e["line_endings"] == "LF" and crlf:
            fail.append(f"{crlf} CRLF in an LF fixture")
        long_lines = [l for l in data.split(b"\n") if len(l.rstrip(b"\r")) > 998]
        if long_lines:
            fail.append(f"{len(long_lines)} lines over 998 octets")

        # parse
        msg = email.message_from_bytes(data, policy=email.policy.default)
        strict_error = None
        try:
            email.message_from_bytes(data, policy=email.policy.strict)
        except Exception as ex:   # noqa: BLE001
            strict_error = f"{type(ex).__name__}: {ex}"
        defects = header_defects(msg)
        problems = decode_all(msg)
        if strict_error:
            fail.append("policy.strict: " + strict_error)
        if defects:
            fail.append("defects: " + "; ".join(defects))
        if problems:
            fail.append("decoding: " + "; ".join(problems))

        # tokens
        for t, info in e["tokens"].items():
            n = data.count(t.encode())
            if n != info["occurrences"] or n != sum(info["in"].values()):
                fail.append(f"token {t}: {n} in file, manifest says {info['occurrences']} / {info['in']}")
        for t in list(manifest["reminders"][k]["token"] for k in manifest["reminders"]) + list(manifest["bogus_tokens"]):
            if t.encode() in data and t not in e["tokens"]:
                fail.append(f"token {t} in the file but not in the manifest")

        # print
        if msg.get_unixfrom():
            print(f"  unixfrom:   {msg.get_unixfrom()!r}")
        for h in ("From", "To", "Subject", "In-Reply-To", "Auto-Submitted", "List-Id", "Precedence"):
            if msg[h] is not None:
                print(f"  {h + ':':<15} {str(msg[h])!r}")
        print("  structure:")
        for l in tree(msg):
            print("    " + l)
        plain = msg.get_body(preferencelist=("plain",))
        if plain is not None:
            print("  text/plain, decoded (first 6 lines):")
            for l in text_of(plain).replace("\r\n", "\n").split("\n")[:6]:
                print("    | " + repr(l)[1:-1])

        # reference extraction vs expected.line
        exp = e["expected"]
        got, why = own_first_line(msg)
        shown = repr(got) if got is not None else f"(none: {why})"
        print(f"  tokens:     {json.dumps({t: i['in'] for t, i in e['tokens'].items()})}")
        print(f"  expected:   verb={exp['verb']!r} argument={exp['argument']!r} ignored={exp['ignored']} "
              f"reason={exp['reason']!r} actions={exp['actions']}")
        print(f"  own line:   {shown}   (reference extraction)")
        if exp["line"] is not None and got != exp["line"]:
            fail.append(f"reference extraction found {got!r}, manifest expects line {exp['line']!r}")
        if exp["line"] is not None and exp["verb"] is not None:
            head, _, rest = exp["line"].strip(" \t\u00a0").partition(" ")
            # the verb's case and trailing '.', '!', ':' or ',' do not matter ('Done!', 'Snooze:')
            if head.lower().rstrip(".!:,") != exp["verb"] or (rest.strip(" \t\u00a0") or None) != exp["argument"]:
                fail.append(f"expected.line {exp['line']!r} does not split into verb/argument as listed")
        eff = exp.get("effect")
        if eff is not None:
            print(f"  effect:     {json.dumps(eff)}")
            if eff["kind"] != exp["verb"] or exp["actions"] != 1:
                fail.append(f"effect {eff} does not match verb {exp['verb']!r} / actions {exp['actions']}")
            elif eff["kind"] in ("done", "note", "release") and eff["text"] != exp["argument"]:
                fail.append(f"effect.text {eff['text']!r} is not the argument {exp['argument']!r}")
            elif eff["kind"] == "snooze":
                m = re.fullmatch(r"(\d+)([mhdw])", eff["duration"])
                secs = int(m.group(1)) * {"m": 60, "h": 3600, "d": 86400, "w": 604800}[m.group(2)] if m else None
                if secs != eff["seconds"] or exp["argument"].rstrip(".!:,") != eff["duration"]:
                    fail.append(f"effect {eff} does not match argument {exp['argument']!r}")

        status = "ok" if not fail else "FAIL"
        for f in fail:
            print(f"  !! {f}")
        summary.append((name, status, shown if not exp["ignored"] else f"ignored: {exp['reason']} (text says {shown})"))
        failures += [f"{name}: {f}" for f in fail]

    print("=" * 100)
    for name, status, note in summary:
        print(f"{status:4}  {name:45} {note}")
    if failures:
        print(f"\n{len(failures)} problem(s)")
        return 1
    print(f"\nall {len(summary)} fixtures ok")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
