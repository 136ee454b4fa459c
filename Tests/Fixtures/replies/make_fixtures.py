#!/usr/bin/env python3
"""Writes the reply fixtures (*.eml) and manifest.json in this directory.

Each fixture is a reply to a kept reminder in the shape one mail client really produces (its headers,
MIME structure, transfer encoding, quoting and attribution, HTML habits), plus the transport headers the
receiving server adds. Run it again after editing; the output is deterministic.

    python3 make_fixtures.py && python3 check.py

Tokens: every reminder has one fake token (TOKENS below). The real token will be an HMAC; tests re-sign a
fixture by replacing the token's 16 characters everywhere they occur in the raw bytes. The manifest lists,
for every fixture, exactly which header values (and which attached-message headers) hold it. No token ever
sits inside a quoted-printable or base64 body, so a byte-level replace is always complete. Tokens that are
meant to be wrong (BOGUS_TOKENS) are not re-signed.
"""
import base64
import datetime
import email.quoprimime
import html
import json
import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))

# --- the reminders -----------------------------------------------------------------------------------

OWNER = "dana@example.org"
KEPT_FROM = "kept <kept@host.example>"
ZONE = "Europe/Berlin"
T1, K1 = "k7q3m2x9a4b5c6d7", "1.14#1/due"
T2, K2 = "p2r8t4v6w1y3z5a9", "1.15#2/lead"
TOKENS = {T1: K1, T2: K2}
BAD_T14 = "k7q3m2x9a4b5c6d8"   # one character off T1: a typo'd or guessed token, never valid
BOGUS_TOKENS = {BAD_T14: "one character off the token of 1.14#1/due"}


def mid(key, token):
    item, rest = key.split("#")
    occ, kind = rest.split("/")
    return f"<r.{item}-{occ}.{kind}.{token}@kept.host.example>"


def reply_to(token):
    return f"dana+kept-{token}@example.org"


MID1, RT1 = mid(K1, T1), reply_to(T1)
MID2, RT2 = mid(K2, T2), reply_to(T2)
SUBJ1 = "[kept] Due today: 1.14 Send the corrected invoice (Acme Corp)"
SUBJ2 = "[kept] Due tomorrow: 1.15#2 Weekly check-in with Acme (Acme Corp)"
SENT = "Tue, 01 Dec 2026 09:00:00 +0100"

FOOTER = "Reply to this mail with: done [NOTE] \u00b7 snooze 2d \u00b7 release REASON \u00b7 note TEXT"

REM1 = """Due today: Send the corrected invoice

  Item:      1.14 (promise)
  Due:       2026-12-01
  Incident:  #1 Acme Corp: Invoice sent with the wrong VAT rate
  Window:    day 3 of 14, ends 2026-12-12 17:00
  Ledger:    3 due, 2 kept, 0 late, 0 missed, 1 released; follow-through 100%

Why it matters:
  A promise made while rebuilding trust is worth more than usual, and so
  is breaking one. Keep it on time, or renegotiate it with the client
  before it is due \u2014 never let it slip quietly.

Mark it done:   kept done 1.14
Snooze it:      kept snooze 1.14 4h
Renegotiated:   kept release 1.14 --reason "what you agreed"
The incident:   kept show 1

""" + FOOTER

REM2 = """Due tomorrow: Weekly check-in with Acme

  Item:      1.15#2 (checkin, every 1w)
  Due:       2026-12-02 10:00 (Europe/Berlin)
  Incident:  #1 Acme Corp: Invoice sent with the wrong VAT rate
  Window:    day 3 of 14, ends 2026-12-12 17:00
  Ledger:    3 due, 2 kept, 0 late, 0 missed, 1 released; follow-through 100%

Why it matters:
  Touch base even when there is nothing new: report progress on every
  promise, say what is next, and listen. Over-communicate while
  rebuilding; the cadence tapers as trust returns.

Mark it done:   kept done 1.15#2
Snooze it:      kept snooze 1.15#2 4h
Renegotiated:   kept release 1.15#2 --reason "what you agreed"
The incident:   kept show 1

""" + FOOTER

L1 = REM1.split("\n")
L2 = REM2.split("\n")

# --- encoders ----------------------------------------------------------------------------------------


def qp(text, charset="utf-8"):
    """Quoted-printable body, LF line ends (turned into CRLF with the rest of the message)."""
    raw = text.encode(charset)
    return email.quoprimime.body_encode(raw.decode("latin-1"), maxlinelen=76, eol="\n")


def b64(text, charset="utf-8"):
    return base64.encodebytes(text.replace("\n", "\r\n").encode(charset)).decode("ascii")


def wrap_at(line, width):
    """Splits a line at spaces so no piece is longer than width (a word longer than width stays whole)."""
    out = []
    while len(line) > width:
        cut = line.rfind(" ", 0, width + 1)
        if cut <= 0:
            break
        out.append(line[:cut])
        line = line[cut + 1:]
    out.append(line)
    return out


def quote(lines, prefix="> ", empty=">", width=None):
    """Hard-wrapped quoting as Gmail, K-9 and mutt write it (each wrapped piece gets the prefix again)."""
    out = []
    for line in lines:
        if line == "":
            out.append(empty)
            continue
        body = line
        pieces = wrap_at(body, width - len(prefix)) if width else [body]
        out.extend(prefix + p for p in pieces)
    return out


def flowed_quote(lines, depth=1, width=76):
    """format=flowed (RFC 3676) quoting: '>' per level, one stuffed space, long lines soft-broken with a
    trailing space (the next piece carries the same quote marks)."""
    marks = ">" * depth
    out = []
    for line in lines:
        line = line.rstrip(" ")
        if line == "":
            out.append(marks)
            continue
        pieces = wrap_at(line, width - len(marks) - 1)
        for i, p in enumerate(pieces):
            soft = " " if i < len(pieces) - 1 else ""
            out.append(marks + " " + p + soft)
    return out


def nbsp_runs(text):
    """Runs of spaces as a browser's contenteditable keeps them: '&nbsp; ' alternating, a leading space
    as &nbsp;."""
    def run(m):
        n = len(m.group(0))
        return "&nbsp; " * (n // 2) + ("&nbsp;" if n % 2 else "")
    s = re.sub(r" {2,}", run, text)
    if s.startswith(" "):
        s = "&nbsp;" + s[1:]
    return s


def esc(text):
    return html.escape(text, quote=False)


def lines_to_br(lines, sep="<br>\n"):
    return sep.join(nbsp_runs(esc(l)) for l in lines) + "<br>"


def ts(date_s):
    return int(datetime.datetime.strptime(date_s, "%a, %d %b %Y %H:%M:%S %z").timestamp())


def fake_b64(seed, n):
    """Deterministic base64-looking noise (for DKIM/ARC b= and bh= values that nobody verifies)."""
    import hashlib
    out = b""
    i = 0
    while len(out) < n:
        out += hashlib.sha256(f"{seed}/{i}".encode()).digest()
        i += 1
    return base64.b64encode(out[:n]).decode()


def received_mx(helo, ip, qid, rcpt, date, proto="ESMTPS", extra=""):
    tls = "\n\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)\n\t key-exchange X25519 server-signature RSA-PSS (2048 bits))" if proto.startswith("ESMTPS") else ""
    d = datetime.datetime.strptime(date, "%a, %d %b %Y %H:%M:%S %z")
    pdate = d.strftime("%a, ") + f"{d.day:2d}" + d.strftime(" %b %Y %H:%M:%S %z") + " (CET)"
    return (f"Received: from {helo} ({helo} [{ip}]){tls}{extra}\n"
            f"\tby mx.example.org (Postfix) with {proto} id {qid}\n"
            f"\tfor <{rcpt}>; {pdate}\n")


def auth_results(spf="pass", dkim="pass", dmarc="pass", mailfrom=OWNER, dkim_d="example.org", extra="", sel="google"):
    dk = f"dkim={dkim} (2048-bit key; unprotected) header.d={dkim_d} header.i=@{dkim_d} header.a=rsa-sha256 header.s={sel}" if dkim != "none" else "dkim=none"
    return (f"Authentication-Results: mx.example.org;\n\t{dk};\n"
            f"\tspf={spf} (mx.example.org: domain of {mailfrom} designates sending host as permitted sender) smtp.mailfrom={mailfrom};\n"
            f"\tdmarc={dmarc} (p=quarantine dis=none) header.from={dkim_d if dkim != 'none' else mailfrom.split('@')[1]}{extra}\n")


def dkim(d, s, h, seed, t):
    b = fake_b64(seed + "b", 256)
    folded = "\n\t ".join(b[i:i + 64] for i in range(0, len(b), 64))
    return (f"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d={d}; s={s};\n"
            f"\tt={t}; bh={fake_b64(seed + 'bh', 32)};\n"
            f"\th={h};\n"
            f"\tb={folded}\n")


def build(headers, body, crlf=True):
    data = headers.rstrip("\n") + "\n\n"
    data = data.encode("ascii") + (body if isinstance(body, bytes) else body.encode("ascii"))
    if not data.endswith(b"\n"):
        data += b"\n"
    assert b"\r" not in data
    return data.replace(b"\n", b"\r\n") if crlf else data


def part(headers, payload):
    """One MIME body part: header lines, blank line, payload (bytes or ASCII text)."""
    p = payload if isinstance(payload, bytes) else payload.encode("ascii")
    # the content ends with its own line end; the line end before the next "--boundary" belongs to the delimiter
    return headers.rstrip("\n").encode("ascii") + b"\n\n" + p.rstrip(b"\n") + b"\n\n"


def multipart(boundary, parts, preamble=b"", epilogue=b""):
    out = preamble
    for p in parts:
        out += b"--" + boundary.encode() + b"\n" + p
    out += b"--" + boundary.encode() + b"--\n" + epilogue
    return out


# --- the fixtures --------------------------------------------------------------------------------------

FIXTURES = []   # (filename, bytes, manifest entry)


def fixture(name, data, **entry):
    FIXTURES.append((name, data, entry))


def expect(verb=None, argument=None, ignored=False, reason=None, actions=None, line=None, outcome=None, effect=None):
    e = {"verb": verb, "argument": argument, "ignored": ignored, "reason": reason,
         "actions": (0 if ignored or verb is None else 1) if actions is None else actions,
         "line": line}
    if outcome:
        e["outcome"] = outcome
    if effect:
        e["effect"] = effect
    return e


GMAIL_DKIM_H = "to:subject:message-id:date:from:in-reply-to:references\n\t :mime-version:from:to:cc:subject:date:message-id:reply-to"


def gmail_transport(date, qid, seed, rcpt):
    t = ts(date)
    return (received_mx("mail-sor-f41.google.com", "209.85.220.41", qid, rcpt, date)
            + auth_results()
            + dkim("example.org", "google", GMAIL_DKIM_H, seed, t)
            + f"X-Google-DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;\n"
              f"\td=1e100.net; s=20230601; t={t}; x={t + 604800};\n"
              f"\th=to:subject:message-id:date:from:in-reply-to:references\n\t :mime-version:x-gm-message-state:from:to:cc:subject:date:message-id\n\t :reply-to;\n"
              f"\tbh={fake_b64(seed + 'bh', 32)};\n\tb={fake_b64(seed + 'g', 96)}\n"
            + f"X-Gm-Message-State: AOJu0Y{fake_b64(seed + 'st', 60)}\n"
            + f"X-Google-Smtp-Source: AGHT+I{fake_b64(seed + 'src', 45)}\n"
            + f"X-Received: by 2002:a05:6402:26d4:b0:5d0:e9c3:f62b with SMTP id\n"
              f" 4fb4d7f45d1cf-5d3f1a2b3c4mr{t % 100000000}a12.{t % 1000}.{t}; Tue, 01 Dec 2026 00:{date[20:25]} -0800 (PST)\n")


def gmail_quote_html(attr_html, lines, android=False):
    style = ("margin:0 0 0 .8ex;border-left:1px #ccc solid;padding-left:1ex" if android
             else "margin:0px 0px 0px 0.8ex;border-left:1px solid rgb(204,204,204);padding-left:1ex")
    cls = "gmail_quote" if android else "gmail_quote gmail_quote_container"
    return (f'<div class="{cls}"><div dir="ltr" class="gmail_attr">{attr_html}<br></div>'
            f'<blockquote class="gmail_quote" style="{style}">{lines_to_br(lines)}\n</blockquote></div>\n')


KEPT_A = 'kept &lt;<a href="mailto:kept@host.example">kept@host.example</a>&gt;'

# 01 Gmail web --------------------------------------------------------------------------------------------
date = "Tue, 01 Dec 2026 09:04:01 +0100"
attr = "On Tue, Dec 1, 2026 at 9:00\u202fAM kept <kept@host.example> wrote:"
own = "done called Dana, she is happy"
text = "\n".join([own, "", attr, ""] + quote(L1, width=76)) + "\n"
htm = (f'<div dir="ltr">{esc(own)}</div><br>'
       + gmail_quote_html(attr.replace("kept <kept@host.example>", KEPT_A), L1))
B = "000000000000a1c3e205f8b2d4e6"
GMAIL01_MID = "<CAE7m2pQk9vX4r+Zb1Ln8sJ0tYw3HfD6uG5cRaE_oVqMi2Kx7Tg@mail.gmail.com>"
hdr = (gmail_transport(date, "4Fm2Kq1xZ3z9tVb", "g01", RT1)
       + f"""MIME-Version: 1.0
References: {MID1}
In-Reply-To: {MID1}
From: =?UTF-8?Q?Dana_Wei=C3=9F?= <dana@example.org>
Date: Tue, 1 Dec 2026 09:04:01 +0100
Message-ID: {GMAIL01_MID}
Subject: Re: {SUBJ1}
To: {RT1}
Content-Type: multipart/alternative; boundary="{B}"
""")
body = multipart(B, [
    part('Content-Type: text/plain; charset="UTF-8"\nContent-Transfer-Encoding: quoted-printable', qp(text)),
    part('Content-Type: text/html; charset="UTF-8"\nContent-Transfer-Encoding: quoted-printable', qp(htm)),
])
fixture("01-gmail-web-done-note.eml", build(hdr, body),
        client="Gmail web (mail.google.com), account dana@example.org",
        tests="top-posted multipart/alternative; text/plain hard-wrapped at 76 with '> ' quoting (a long quoted "
              "footer line wraps, leaving '> TEXT' alone on a line); HTML with div.gmail_quote / blockquote.gmail_quote; "
              "attribution has U+202F NARROW NO-BREAK SPACE before AM (CLDR 42+); From display name RFC 2047 Q-encoded",
        reminder=K1, token=T1, expected=expect("done", "called Dana, she is happy", line=own))

# 02 Gmail Android -----------------------------------------------------------------------------------------
date = "Tue, 01 Dec 2026 09:05:12 +0100"
attr = "On Tue, 1 Dec 2026, 09:00 kept, <kept@host.example> wrote:"
own = "Snooze 2d\u00a0"
text = "\n".join([own, "", attr, ""] + quote(L1, width=76)) + "\n"
htm = (f'<div dir="auto">Snooze 2d&nbsp;</div><br>'
       + gmail_quote_html(attr.replace("kept, <kept@host.example>", "kept, " + KEPT_A), L1, android=True))
B = "0000000000003f9d8b05f8b2d7a1"
hdr = (gmail_transport(date, "4Fm2LZ5b2Qz9tVc", "g02", RT1)
       + f"""MIME-Version: 1.0
References: {MID1}
In-Reply-To: {MID1}
From: =?UTF-8?Q?Dana_Wei=C3=9F?= <dana@example.org>
Date: Tue, 1 Dec 2026 09:05:12 +0100
Message-ID: <CAJp4nW8sR2xQm7Yt0kLv3ZcH9bE1uFg6oDa5Ni_TqKw8Xr3Ps@mail.gmail.com>
Subject: Re: {SUBJ1}
To: {RT1}
Content-Type: multipart/alternative; boundary="{B}"
""")
body = multipart(B, [
    part('Content-Type: text/plain; charset="UTF-8"\nContent-Transfer-Encoding: quoted-printable', qp(text)),
    part('Content-Type: text/html; charset="UTF-8"\nContent-Transfer-Encoding: quoted-printable', qp(htm)),
])
fixture("02-gmail-android-snooze-2d.eml", build(hdr, body),
        client="Gmail app for Android (Gboard keyboard)",
        tests="Gboard capitalises the first word ('Snooze') and leaves a trailing NO-BREAK SPACE after the "
              "accepted suggestion (=C2=A0 in text, &nbsp; in HTML); Android attribution 'On Tue, 1 Dec 2026, 09:00 "
              "kept, <kept@host.example> wrote:' (comma after the name); div dir=auto",
        reminder=K1, token=T1, expected=expect("snooze", "2d", line=own))

# 03 Outlook desktop (Windows), HTML compose, IMAP/SMTP account -----------------------------------------
date = "Tue, 01 Dec 2026 09:06:44 +0100"
own = "release Dana asked for monthly instead"
sig = ["Dana Wei\u00df", "Account Manager \u00b7 Example Org"]
block = ["From: kept <kept@host.example> ", "Sent: Tuesday, December 1, 2026 9:00 AM", "To: dana@example.org",
         f"Subject: {SUBJ1}"]
text = "\n".join([own, "", " ", ""] + [sig[0], "", sig[1], "", " ", ""] + block + ["", " ", ""] + L1) + "\n"


def mso_plain(lines):
    out = []
    for l in lines:
        if l == "":
            out.append("<p class=MsoPlainText><o:p>&nbsp;</o:p></p>")
        else:
            t = esc(l).replace("  ", "&nbsp;&nbsp;").replace("&nbsp; ", "&nbsp;&nbsp;")
            if t.startswith(" "):
                t = "&nbsp;" + t[1:]
            out.append(f"<p class=MsoPlainText>{t}<o:p></o:p></p>")
    return "\n".join(out)


htm = """<html xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:w="urn:schemas-microsoft-com:office:word" xmlns:m="http://schemas.microsoft.com/office/2004/12/omml" xmlns="http://www.w3.org/TR/REC-html40"><head><meta http-equiv=Content-Type content="text/html; charset=windows-1252"><meta name=Generator content="Microsoft Word 15 (filtered medium)"><style><!--
/* Font Definitions */
@font-face
	{font-family:"Cambria Math";
	panose-1:2 4 5 3 5 4 6 3 2 4;}
@font-face
	{font-family:Aptos;}
/* Style Definitions */
p.MsoNormal, li.MsoNormal, div.MsoNormal
	{margin:0cm;
	font-size:12.0pt;
	font-family:"Aptos",sans-serif;
	mso-ligatures:standardcontextual;
	mso-fareast-language:EN-US;}
p.MsoPlainText, li.MsoPlainText, div.MsoPlainText
	{mso-style-priority:99;
	mso-style-link:"Plain Text Char";
	margin:0cm;
	font-size:11.0pt;
	font-family:"Calibri",sans-serif;
	mso-ligatures:standardcontextual;
	mso-fareast-language:EN-US;}
span.PlainTextChar
	{mso-style-name:"Plain Text Char";
	mso-style-priority:99;
	mso-style-link:"Plain Text";
	font-family:"Calibri",sans-serif;}
span.EmailStyle22
	{mso-style-type:personal-reply;
	font-family:"Aptos",sans-serif;
	color:windowtext;}
.MsoChpDefault
	{mso-style-type:export-only;
	font-size:10.0pt;
	mso-ligatures:none;}
@page WordSection1
	{size:612.0pt 792.0pt;
	margin:72.0pt 72.0pt 72.0pt 72.0pt;}
div.WordSection1
	{page:WordSection1;}
--></style><!--[if gte mso 9]><xml>
<o:shapedefaults v:ext="edit" spidmax="1026" />
</xml><![endif]--><!--[if gte mso 9]><xml>
<o:shapelayout v:ext="edit">
<o:idmap v:ext="edit" data="1" />
</o:shapelayout></xml><![endif]--></head><body lang=EN-GB link="#467886" vlink="#96607D" style='word-wrap:break-word'><div class=WordSection1><p class=MsoNormal><span style='font-size:11.0pt'>""" + esc(own) + """<o:p></o:p></span></p><p class=MsoNormal><span style='font-size:11.0pt'><o:p>&nbsp;</o:p></span></p><p class=MsoNormal><span style='font-size:11.0pt;mso-ligatures:none;mso-fareast-language:EN-GB'>""" + esc(sig[0]) + """<o:p></o:p></span></p><p class=MsoNormal><span style='font-size:9.0pt;color:#595959;mso-ligatures:none;mso-fareast-language:EN-GB'>""" + esc(sig[1]) + """<o:p></o:p></span></p><p class=MsoNormal><span style='font-size:11.0pt'><o:p>&nbsp;</o:p></span></p><div><div style='border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm'><p class=MsoNormal><b><span lang=EN-US style='font-size:11.0pt;font-family:"Calibri",sans-serif;mso-ligatures:none;mso-fareast-language:EN-GB'>From:</span></b><span lang=EN-US style='font-size:11.0pt;font-family:"Calibri",sans-serif;mso-ligatures:none;mso-fareast-language:EN-GB'> kept &lt;kept@host.example&gt; <br><b>Sent:</b> Tuesday, December 1, 2026 9:00 AM<br><b>To:</b> dana@example.org<br><b>Subject:</b> """ + esc(SUBJ1) + """<o:p></o:p></span></p></div></div><p class=MsoNormal><o:p>&nbsp;</o:p></p>
""" + mso_plain(L1) + """
</div></body></html>"""
B = "----=_NextPart_000_0001_01DB43CA.C04F0320"
hdr = (received_mx("mail.example.org", "192.0.2.10", "4Fm2P83Xv6z9tVd", RT1, date, proto="ESMTPSA",
                   extra="\n\t(No client certificate requested)\n\t(Authenticated sender: dana)")
       + f"""From: =?iso-8859-1?Q?Dana_Wei=DF?= <dana@example.org>
To: <{RT1}>
References: {MID1}
In-Reply-To: {MID1}
Subject: RE: {SUBJ1}
Date: Tue, 1 Dec 2026 09:06:44 +0100
Message-ID: <000001db43c2$5e8a9b20$1b9fd160$@example.org>
MIME-Version: 1.0
Content-Type: multipart/alternative;
\tboundary="{B}"
X-Mailer: Microsoft Outlook 16.0
Thread-Index: AQHbQ8JeipsgG5/RYGsAAQDBBrZQ6rN1qX3Q
Content-Language: en-gb
""")
body = multipart(B, [
    part('Content-Type: text/plain;\n\tcharset="windows-1252"\nContent-Transfer-Encoding: quoted-printable',
         qp(text, "cp1252")),
    part('Content-Type: text/html;\n\tcharset="windows-1252"\nContent-Transfer-Encoding: quoted-printable',
         qp(htm, "cp1252")),
], preamble=b"This is a multipart message in MIME format.\n\n", epilogue=b"\n")
fixture("03-outlook-windows-release.eml", build(hdr, body),
        client="Microsoft Outlook 16.0 (Microsoft 365 desktop, Windows), IMAP/SMTP account, HTML compose",
        tests="windows-1252 quoted-printable (ß =DF, · =B7, em dash =97); quote is NOT '>'-prefixed: it starts "
              "at the From:/Sent:/To:/Subject: block (note the trailing space after the From: line); signature "
              "without a '-- ' separator; lines holding a single space (=20) from &nbsp; paragraphs; 'RE:' subject; "
              "Word HTML with MsoNormal/MsoPlainText paragraphs and a border-top div before the header block",
        reminder=K1, token=T1, expected=expect("release", "Dana asked for monthly instead", line=own))

# 04 Outlook on the web, HTML only ----------------------------------------------------------------------
date = "Tue, 01 Dec 2026 09:05:38 +0100"


def owa_plain(lines):
    out = []
    for l in lines:
        t = esc(l).encode("latin-1", "xmlcharrefreplace").decode("latin-1")
        out.append(nbsp_runs(t).replace("&nbsp; ", "&nbsp;&nbsp;") + "<br>")
    return "\n".join(out)


htm = """<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">
<style type="text/css" style="display:none;"> P {margin-top:0;margin-bottom:0;} </style>
</head>
<body dir="ltr">
<div class="elementToProof" style="font-family: Aptos, Aptos_EmbeddedFont, Aptos_MSFontService, Calibri, Helvetica, sans-serif; font-size: 12pt; color: rgb(0, 0, 0);">
done</div>
<div id="appendonsend"></div>
<hr style="display:inline-block;width:98%" tabindex="-1">
<div id="divRplyFwdMsg" dir="ltr"><font face="Calibri, sans-serif" style="font-size:11pt" color="#000000"><b>From:</b> kept &lt;kept@host.example&gt;<br>
<b>Sent:</b> Tuesday, December 1, 2026 09:00<br>
<b>To:</b> dana@example.org &lt;dana@example.org&gt;<br>
<b>Subject:</b> """ + esc(SUBJ1) + """</font>
<div>&nbsp;</div>
</div>
<div class="BodyFragment"><font size="2"><span style="font-size:11pt;">
<div class="PlainText">""" + owa_plain(L1) + """
</div>
</span></font></div>
</body>
</html>
"""
hdr = (received_mx("EUR05-DB8-obe.outbound.protection.outlook.com", "40.107.20.71", "4FmB2d0kQzz3wX1", RT1, date)
       + auth_results(dkim_d="example.org", sel="selector1")
       + f"""ARC-Seal: i=1; a=rsa-sha256; s=arcselector10001; d=microsoft.com; cv=none;
 b={fake_b64('o4arc', 96)}
ARC-Authentication-Results: i=1; mx.microsoft.com 1; spf=pass
 smtp.mailfrom=example.org; dmarc=pass action=none header.from=example.org;
 dkim=pass header.d=example.org; arc=none
DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.org; s=selector1;
 h=From:Date:Subject:Message-ID:Content-Type:MIME-Version:X-MS-Exchange-SenderADCheck;
 bh={fake_b64('o4bh', 32)};
 b={fake_b64('o4b', 192)}
From: =?iso-8859-1?Q?Dana_Wei=DF?= <dana@example.org>
To: "{RT1}"
\t<{RT1}>
Subject: Re: {SUBJ1}
Thread-Topic: {SUBJ1}
Thread-Index: AQHbQ8Q2kZ1vN0m3U0q7m9c3M5Y1Zg==
Date: Tue, 1 Dec 2026 08:05:31 +0000
Message-ID:
 <AM9PR07MB72214C1E0F3B9A2D6E8F7C5BA3D2A@AM9PR07MB7221.eurprd07.prod.outlook.com>
References: {MID1}
In-Reply-To: {MID1}
Accept-Language: en-GB, en-US
Content-Language: en-GB
X-MS-Has-Attach:
X-MS-TNEF-Correlator:
msip_labels:
x-ms-publictraffictype: Email
x-ms-traffictypediagnostic: AM9PR07MB7221:EE_|DU0PR07MB9412:EE_
x-ms-office365-filtering-correlation-id: 3c1f9e2a-7b4d-4e8a-08dd-1a2b3c4d5e6f
x-ms-exchange-antispam-relay: 0
Content-Type: text/html; charset="iso-8859-1"
Content-Transfer-Encoding: quoted-printable
MIME-Version: 1.0
X-OriginatorOrg: example.org
X-MS-Exchange-CrossTenant-AuthAs: Internal
X-MS-Exchange-CrossTenant-AuthSource: AM9PR07MB7221.eurprd07.prod.outlook.com
X-MS-Exchange-CrossTenant-originalarrivaltime: 01 Dec 2026 08:05:31.2174 (UTC)
X-MS-Exchange-CrossTenant-fromentityheader: Hosted
X-MS-Exchange-Transport-CrossTenantHeadersStamped: DU0PR07MB9412
""")
fixture("04-owa-html-only-done.eml", build(hdr, qp(htm, "iso-8859-1")),
        client="Outlook on the web (Exchange Online / Microsoft 365)",
        tests="text/html only, no text/plain alternative: the verb must be found in HTML (after a newline inside "
              "div.elementToProof); quote starts at hr + div#divRplyFwdMsg; iso-8859-1 QP with non-Latin-1 "
              "characters as numeric references (&#8212;); Date in UTC; To written as '\"addr\" <addr>' so the token "
              "appears twice in To, folded",
        reminder=K1, token=T1, expected=expect("done", None, line="done"))

# 05 Apple Mail (macOS) ----------------------------------------------------------------------------------
date = "Tue, 01 Dec 2026 09:07:13 +0100"
own = "note the fix is deployed"
attr = "On 1 Dec 2026, at 09:00, kept <kept@host.example> wrote:"
text = "\n".join([own, ""] + flowed_quote([attr, ""] + L1)) + "\n"


def apple_divs(lines):
    return "".join("<div><br></div>" if l == "" else f"<div>{nbsp_runs(esc(l))}</div>" for l in lines)


htm = ('<html aria-label="message body"><head><meta http-equiv="content-type" content="text/html; charset=utf-8"></head>'
       '<body style="overflow-wrap: break-word; -webkit-nbsp-mode: space; line-break: after-white-space;">'
       + esc(own) + '<br id="lineBreakAtBeginningOfMessage"><div><br><blockquote type="cite"><div>'
       + esc(attr) + '</div><br class="Apple-interchange-newline"><div><div>' + apple_divs(L1)
       + '</div></div></blockquote></div><br></body></html>')
B = "Apple-Mail=_6C0F2D8A-4B3E-4E71-9A5C-2F8D1B7E3A90"
hdr = (received_mx("mail.example.org", "192.0.2.10", "4Fm2R41bYkz9tVf", RT1, date, proto="ESMTPSA",
                   extra="\n\t(Authenticated sender: dana)")
       + f"""Content-Type: multipart/alternative;
\tboundary="{B}"
Mime-Version: 1.0 (Mac OS X Mail 16.0 \\(3826.400.131.1.6\\))
Subject: Re: {SUBJ1}
From: =?utf-8?Q?Dana_Wei=C3=9F?= <dana@example.org>
In-Reply-To: {MID1}
Date: Tue, 1 Dec 2026 09:07:13 +0100
Content-Transfer-Encoding: 7bit
Message-Id: <3A9F1C2E-7B4D-4E8A-B1C6-5D2F8E0A9B3C@example.org>
References: {MID1}
To: {RT1}
X-Mailer: Apple Mail (2.3826.400.131.1.6)
""")
body = multipart(B, [
    part("Content-Transfer-Encoding: quoted-printable\nContent-Type: text/plain;\n\tcharset=utf-8;\n\tformat=flowed", qp(text)),
    part("Content-Transfer-Encoding: quoted-printable\nContent-Type: text/html;\n\tcharset=utf-8", qp(htm)),
], epilogue=b"")
fixture("05-apple-mail-macos-note.eml", build(hdr, body),
        client="Apple Mail 16 (macOS 14)",
        tests="text/plain format=flowed in QP: soft line breaks are trailing spaces encoded as '=20' before the "
              "line end; the attribution is itself quoted ('> On 1 Dec 2026, at 09:00, kept <kept@host.example> "
              "wrote:'), so the quote begins at the attribution; HTML attribution inside blockquote type=cite; "
              "Content-Type before the other headers and parameters folded with tabs; Mime-Version comment with "
              "escaped parentheses",
        reminder=K1, token=T1, expected=expect("note", "the fix is deployed", line=own))

# 06 iPhone Mail -------------------------------------------------------------------------------------------
date = "Tue, 01 Dec 2026 09:08:31 +0100"
attr = "On Dec 1, 2026, at 9:00\u202fAM, kept <kept@host.example> wrote:"
ql = ["\ufeff" + L1[0]] + L1[1:]
text = "\n".join(["Done", "", "Sent from my iPhone", ""] + quote([attr, ""] + ql, empty=">")) + "\n"
htm = ('<html><head><meta http-equiv="content-type" content="text/html; charset=utf-8"></head><body dir="auto">'
       'Done<br id="lineBreakAtBeginningOfSignature"><div dir="ltr">Sent from my iPhone</div><div dir="ltr"><br>'
       f'<blockquote type="cite">{esc(attr)}<br><br></blockquote></div><blockquote type="cite"><div dir="ltr">'
       + lines_to_br(ql, sep="<br>") + '</div></blockquote></body></html>')
B = "Apple-Mail-8B3D2F1A-6C4E-4A9B-B7D2-1E5F3C8A0D64"
hdr = (received_mx("mail.example.org", "192.0.2.10", "4Fm2SK8dWpz9tVg", RT1, date, proto="ESMTPSA",
                   extra="\n\t(Authenticated sender: dana)")
       + f"""Content-Type: multipart/alternative; boundary={B}
Content-Transfer-Encoding: 7bit
From: =?utf-8?Q?Dana_Wei=C3=9F?= <dana@example.org>
Mime-Version: 1.0 (1.0)
Date: Tue, 1 Dec 2026 09:08:31 +0100
Subject: Re: {SUBJ1}
Message-Id: <5E1B7A3C-9D2F-4C8E-A6B1-3F7D0E2C9A85@example.org>
References: {MID1}
In-Reply-To: {MID1}
To: {RT1}
X-Mailer: iPhone Mail (22B91)
""")
body = multipart(B, [
    part("Content-Type: text/plain;\n\tcharset=utf-8\nContent-Transfer-Encoding: base64", b64(text)),
    part("Content-Type: text/html;\n\tcharset=utf-8\nContent-Transfer-Encoding: quoted-printable", qp(htm)),
], epilogue=b"")
fixture("06-iphone-done-capitalised.eml", build(hdr, body),
        client="Mail on iOS 18 (iPhone)",
        tests="'Done' capitalised by the keyboard; 'Sent from my iPhone' between reply and quote; text/plain in "
              "base64 with CRLF inside the encoded text; the quoted text starts with U+FEFF (iOS inserts a zero-width "
              "no-break space at the top of the quote); unquoted-boundary Content-Type; attribution with U+202F "
              "before AM, itself quoted",
        reminder=K1, token=T1, expected=expect("done", None, line="Done"))

# 07 Thunderbird, bottom-posted ----------------------------------------------------------------------------
date = "Tue, 01 Dec 2026 09:09:52 +0100"
own = "snooze tomorrow 9:00"
text = "\n".join(["On 12/1/26 9:00 AM, kept wrote:"] + flowed_quote(L1, width=72)
                 + ["", own, "", "-- ", "Dana Wei\u00df", "Account Manager, Example Org"]) + "\n"
hdr = (received_mx("mail.example.org", "192.0.2.10", "4Fm2TY2mRtz9tVh", RT1, date, proto="ESMTPSA",
                   extra="\n\t(Authenticated sender: dana)")
       + f"""Message-ID: <6d2f1a9c-3b7e-4c58-9e1d-0a4b8c2f7e35@example.org>
Date: Tue, 1 Dec 2026 09:09:52 +0100
MIME-Version: 1.0
User-Agent: Mozilla Thunderbird
Subject: Re: {SUBJ1}
To: {RT1}
References: {MID1}
Content-Language: en-US
From: =?UTF-8?Q?Dana_Wei=C3=9F?= <dana@example.org>
In-Reply-To: {MID1}
Content-Type: text/plain; charset=UTF-8; format=flowed
Content-Transfer-Encoding: 8bit
""")
fixture("07-thunderbird-bottom-post-snooze.eml", build(hdr, text.encode("utf-8")),
        client="Thunderbird 128 (Linux), plain-text compose, reply below the quote",
        tests="bottom-posting: the first line is the attribution 'On 12/1/26 9:00 AM, kept wrote:' and the whole "
              "quote comes before the reply; the verb is the first non-blank line outside quote, attribution and "
              "signature; format=flowed 8bit with quoted lines soft-wrapped at 72; '-- ' signature after the reply",
        reminder=K1, token=T1, expected=expect("snooze", "tomorrow 9:00", line=own))

# 08 Thunderbird, German, ISO-8859-1 ---------------------------------------------------------------------
date = "Tue, 01 Dec 2026 09:10:27 +0100"
own = "done Lieferung best\u00e4tigt, R\u00fcckruf bei Frau M\u00fcller erledigt"
trim = L1[:6] + ["[...]"] + L1[-1:]
text = "\n".join([own, "", "Am 01.12.2026 um 09:00 schrieb kept:"] + flowed_quote(trim)
                 + ["", "-- ", "Dana Wei\u00df", "Kundenbetreuung \u00b7 Example GmbH"]) + "\n"
hdr = (received_mx("mail.example.org", "192.0.2.10", "4Fm2VB6gHnz9tVj", RT1, date, proto="ESMTPSA",
                   extra="\n\t(Authenticated sender: dana)")
       + f"""Subject: Re: {SUBJ1}
To: {RT1}
References: {MID1}
From: =?ISO-8859-1?Q?Dana_Wei=DF?= <dana@example.org>
Message-ID: <5c1e9f2a-3d7b-8e41-a6c0-2f9b1d7e4a38@example.org>
Date: Tue, 1 Dec 2026 09:10:27 +0100
User-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:60.0) Gecko/20100101
 Thunderbird/60.9.1
MIME-Version: 1.0
In-Reply-To: {MID1}
Content-Type: text/plain; charset=iso-8859-1; format=flowed
Content-Transfer-Encoding: 8bit
Content-Language: de-DE
""")
fixture("08-thunderbird-de-latin1-done-note.eml", build(hdr, text.encode("iso-8859-1")),
        client="Thunderbird 60 (Windows), German locale, plain text, default charset ISO-8859-1",
        tests="raw ISO-8859-1 bytes in an 8bit body (ä=E4, ü=FC, ß=DF): the note must be decoded by charset, not "
              "read as UTF-8; German attribution 'Am 01.12.2026 um 09:00 schrieb kept:' (no address); quote trimmed "
              "by the user with '[...]'; User-Agent folded",
        reminder=K1, token=T1,
        expected=expect("done", "Lieferung best\u00e4tigt, R\u00fcckruf bei Frau M\u00fcller erledigt", line=own))

# 09 Roundcube, French -------------------------------------------------------------------------------------
date = "Tue, 01 Dec 2026 09:11:05 +0100"
text = "\n".join(["done", "", "Le 01/12/2026 09:00, kept a \u00e9crit\u00a0:"] + flowed_quote(L1)
                 + ["", "-- ", "Dana Wei\u00df"]) + "\n"
hdr = (received_mx("webmail.example.org", "192.0.2.12", "4Fm2WQ0pLcz9tVk", RT1, date, proto="ESMTPSA",
                   extra="\n\t(Authenticated sender: dana)")
       + f"""MIME-Version: 1.0
Date: Tue, 01 Dec 2026 09:11:05 +0100
From: =?UTF-8?Q?Dana_Wei=C3=9F?= <dana@example.org>
To: {RT1}
Subject: Re: {SUBJ1}
In-Reply-To: {MID1}
References: {MID1}
User-Agent: Roundcube Webmail/1.6.9
Message-ID: <8f3c1e2b7a9d4f6e0c5b1a3d7e9f2c4a@example.org>
X-Sender: dana@example.org
Content-Type: text/plain; charset=UTF-8;
 format=flowed
Content-Transfer-Encoding: 8bit
""")
fixture("09-roundcube-fr-done.eml", build(hdr, text.encode("utf-8")),
        client="Roundcube Webmail 1.6 (French interface), plain text, top-posting",
        tests="French attribution 'Le 01/12/2026 09:00, kept a écrit :' where the space before ':' is U+00A0 "
              "NO-BREAK SPACE (French typography); 8bit UTF-8 format=flowed",
        reminder=K1, token=T1, expected=expect("done", None, line="done"))

# 10 K-9 Mail ------------------------------------------------------------------------------------------------
date = "Tue, 01 Dec 2026 09:12:40 +0100"
own = "note Dana's phone is off, trying again Thursday"
k9sig = "Sent from my Android device with K-9 Mail. Please excuse my brevity."
attr = "On December 1, 2026 9:00:00 AM GMT+01:00, kept <kept@host.example> wrote:"
text = "\n".join([own, "", "-- ", k9sig, "", attr] + quote(L1, prefix=">", empty=">", width=72)) + "\n"
htm = ("<!DOCTYPE html><html><head></head><body>" + esc(own).replace("'", "&#39;") + "<br><br>-- <br>" + esc(k9sig)
       + '<br><br><div class="gmail_quote">' + esc(attr)
       + '<blockquote class="gmail_quote" style="margin: 0pt 0pt 0pt 0.8ex; border-left: 1px solid rgb(204, 204, 204); padding-left: 1ex;">\n'
       + '<pre class="k9mail">' + esc(REM1) + "</pre></blockquote></div></body></html>")
B = "----Q7X2M9KD4LP0W8RZ1TVB3H6NFC5YJA"
hdr = (received_mx("mail.example.org", "192.0.2.10", "4Fm2Xh4sNvz9tVl", RT1, date, proto="ESMTPSA",
                   extra="\n\t(Authenticated sender: dana)")
       + f"""MIME-Version: 1.0
Date: Tue, 01 Dec 2026 09:12:40 +0100
User-Agent: K-9 Mail for Android
In-Reply-To: {MID1}
References: {MID1}
Content-Type: multipart/alternative;
 boundary="{B}"
Content-Transfer-Encoding: 7bit
Subject: Re: {SUBJ1}
To: {RT1}
From: =?UTF-8?Q?Dana_Wei=C3=9F?= <dana@example.org>
Message-ID: <9F3C2A7E-4B1D-4E8F-A6C2-1D7B3E5F9A04@example.org>
""")
body = multipart(B, [
    part("Content-Type: text/plain;\n charset=utf-8\nContent-Transfer-Encoding: quoted-printable", qp(text)),
    part("Content-Type: text/html;\n charset=utf-8\nContent-Transfer-Encoding: quoted-printable", qp(htm)),
])
fixture("10-k9-android-note.eml", build(hdr, body),
        client="K-9 Mail 6 for Android",
        tests="signature ('-- ' + 'Sent from my Android device with K-9 Mail…') placed between reply and quote; "
              "K-9's default quote prefix is '>' with no space; long attribution with a Java LONG date "
              "('December 1, 2026 9:00:00 AM GMT+01:00'); HTML quote is div.gmail_quote with the original in "
              "<pre class=\"k9mail\">; apostrophe in the note",
        reminder=K1, token=T1, expected=expect("note", "Dana's phone is off, trying again Thursday", line=own))

# 11 mbox copy from Postfix local(8) to a .forward pipe, composed in mutt ------------------------------
date = "Tue, 01 Dec 2026 09:04:58 +0100"
own = "release Acme moved to monthly invoicing"
text = "\n".join([own, "", "From now on the corrected invoice goes out with the monthly run.", "",
                  "On Tue, Dec 01, 2026 at 09:00:00AM +0100, kept wrote:"] + quote(L1)
                 + ["", "-- ", "Dana"]) + "\n"
hdr = (f"""From dana@example.org  Tue Dec  1 09:05:00 2026
Return-Path: <dana@example.org>
X-Original-To: {RT1}
Delivered-To: {RT1}
""" + received_mx("workstation.example.org", "192.0.2.44", "4Fm2Z0q3Jxz9tVd", RT1,
                  "Tue, 01 Dec 2026 09:05:00 +0100", proto="ESMTPSA", extra="\n\t(Authenticated sender: dana)")
       + f"""Date: Tue, 1 Dec 2026 09:04:58 +0100
From: Dana <dana@example.org>
To: {RT1}
Subject: Re: {SUBJ1}
Message-ID: <aUxK3m2pQw9Zb7Rt@workstation.example.org>
References: {MID1}
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Disposition: inline
Content-Transfer-Encoding: 8bit
In-Reply-To: {MID1}
User-Agent: Mutt/2.2.13 (2024-03-09)
""")
fixture("11-mbox-postfix-pipe-release.eml", build(hdr, text.encode("utf-8"), crlf=False),
        client="mutt 2.2, delivered by Postfix local(8) to a '|keptd …' command in ~/.forward+kept",
        tests="what a .forward pipe really reads: LF line ends (not CRLF); a first line 'From dana@example.org  Tue "
              "Dec  1 09:05:00 2026' (Postfix writes two spaces after the sender, asctime's space-padded day); "
              "Return-Path, X-Original-To and Delivered-To prepended, the last two holding the plus address with "
              "the token; body lines beginning 'From ' are NOT escaped to '>From ' for command delivery; mutt "
              "attribution 'On Tue, Dec 01, 2026 at 09:00:00AM +0100, kept wrote:'",
        line_endings="LF", reminder=K1, token=T1,
        expected=expect("release", "Acme moved to monthly invoicing", line=own))

# 12 forged From --------------------------------------------------------------------------------------------
hdr = ("Received: from evil.example (vps-203-0-113-66.evil.example [203.0.113.66])\n"
       "\tby mx.example.org (Postfix) with ESMTP id 4Fm3B1kTqWz9tVm\n"
       f"\tfor <{RT1}>; Tue,  1 Dec 2026 09:20:11 +0100 (CET)\n"
       + auth_results(spf="pass", dkim="none", dmarc="none", mailfrom="mallory@evil.example")
       + f"""Date: Tue, 01 Dec 2026 08:20:11 +0000
To: {RT1}
From: mallory@evil.example
Subject: Re: {SUBJ1}
Message-Id: <20261201082011.004217@evil.example>
In-Reply-To: {MID1}
References: {MID1}
X-Mailer: swaks v20240103.0 jetmore.org/john/code/swaks/
""")
fixture("12-forged-from-mallory.eml", build(hdr, "done\n"),
        client="swaks (an attacker's script)",
        tests="a stranger who learned a valid token and the reminder's Message-ID (both travel in every reply's "
              "To/In-Reply-To/References) sends 'done' from their own address",
        reminder=K1, token=T1, expected=expect(None, None, ignored=True, reason="from-not-owner"))

hdr = ("Received: from smtp.evil.example (smtp.evil.example [203.0.113.67])\n"
       "\tby mx.example.org (Postfix) with ESMTPS id 4Fm3C7wLmPz9tVn\n"
       f"\tfor <{RT1}>; Tue,  1 Dec 2026 09:21:40 +0100 (CET)\n"
       + auth_results(spf="pass", dkim="none", dmarc="none", mailfrom="bounce@evil.example")
       + f"""Date: Tue, 1 Dec 2026 09:21:39 +0100
To: {RT1}
From: "dana@example.org" <mallory@evil.example>
Sender: dana@example.org
Reply-To: dana@example.org
Subject: Re: {SUBJ1}
Message-ID: <b7c1e0f24a9d3e58@smtp.evil.example>
In-Reply-To: {MID1}
References: {MID1}
X-Mailer: PHPMailer 6.9.1 (https://github.com/PHPMailer/PHPMailer)
MIME-Version: 1.0
Content-Type: text/plain; charset=us-ascii
Content-Transfer-Encoding: 7bit
""")
fixture("12b-forged-display-name.eml", build(hdr, "release client no longer needs it\n"),
        client="PHPMailer (an attacker's script)",
        tests="the owner's address only in the display name, Sender and Reply-To; the From addr-spec is "
              "mallory@evil.example. A parser that matches the owner anywhere in the From header text, or trusts "
              "Sender/Reply-To, acts on it",
        reminder=K1, token=T1, expected=expect(None, None, ignored=True, reason="from-not-owner"))

hdr = ("Received: from [203.0.113.66] (unknown [203.0.113.66])\n"
       "\tby mx.example.org (Postfix) with ESMTP id 4Fm3D2xQnRz9tVp\n"
       f"\tfor <{RT1}>; Tue,  1 Dec 2026 09:22:05 +0100 (CET)\n"
       + "Authentication-Results: mx.example.org;\n\tdkim=none;\n"
         "\tspf=fail (mx.example.org: domain of dana@example.org does not designate 203.0.113.66 as permitted sender) smtp.mailfrom=dana@example.org;\n"
         "\tdmarc=fail (p=none dis=none) header.from=example.org\n"
       + f"""From: =?UTF-8?Q?Dana_Wei=C3=9F?= <dana@example.org>
To: {RT1}
Subject: Re: {SUBJ1}
Date: Tue, 1 Dec 2026 09:22:04 +0100
Message-ID: <000101db43c5$1a2b3c4d$5e6f7a8b$@example.org>
In-Reply-To: {MID1}
References: {MID1}
MIME-Version: 1.0
Content-Type: text/plain; charset="us-ascii"
Content-Transfer-Encoding: 7bit
X-Mailer: Microsoft Outlook 16.0
""")
fixture("12c-forged-from-exact-dmarc-fail.eml", build(hdr, "release client no longer needs it\n"),
        client="an attacker's script imitating Outlook, sent from an unrelated host",
        tests="From is exactly the owner's address; only the receiving MX's Authentication-Results (spf=fail, "
              "dmarc=fail) gives it away. OPTIONAL: a From-only check accepts it; kept can refuse it only if it "
              "trusts the Authentication-Results header its own MX (authserv-id mx.example.org) adds",
        optional=True, reminder=K1, token=T1,
        expected=expect(None, None, ignored=True, reason="authentication-failed"))

# 13 missing token ----------------------------------------------------------------------------------------
date = "Tue, 01 Dec 2026 09:13:30 +0100"
text = "\n".join(["done", "", "On Tue, Dec 1, 2026 at 9:00\u202fAM kept <kept@host.example> wrote:", ""]
                 + quote(L1, width=76)) + "\n"
B = "000000000000c4d2a905f8b2e1f3"
hdr = (gmail_transport(date, "4Fm2aT7vKqz9tVq", "g13", "dana+kept@example.org")
       + f"""MIME-Version: 1.0
References: {MID1}
In-Reply-To: {MID1}
From: =?UTF-8?Q?Dana_Wei=C3=9F?= <dana@example.org>
Date: Tue, 1 Dec 2026 09:13:30 +0100
Message-ID: <CAE7m2pRy3Lq8Vn1Xs5Kd0Wb7Ht2Fg9Jc4Mz6Pa_eUo1Ri8Tw@mail.gmail.com>
Subject: Re: {SUBJ1}
To: dana+kept@example.org
Content-Type: multipart/alternative; boundary="{B}"
""")
body = multipart(B, [
    part('Content-Type: text/plain; charset="UTF-8"\nContent-Transfer-Encoding: quoted-printable', qp(text)),
    part('Content-Type: text/html; charset="UTF-8"\nContent-Transfer-Encoding: quoted-printable',
         qp('<div dir="ltr">done</div><br>' + gmail_quote_html(
             "On Tue, Dec 1, 2026 at 9:00\u202fAM " + KEPT_A + " wrote:", L1))),
])
fixture("13-missing-token.eml", build(hdr, body),
        client="Gmail web",
        tests="To is the bare plus address dana+kept@example.org (Gmail's autocomplete offered it, or the token was "
              "edited away); In-Reply-To still names the 1.14 reminder, which must not stand in for the token",
        reminder=K1, token=None, expected=expect(None, None, ignored=True, reason="no-token"))

# 14 wrong token --------------------------------------------------------------------------------------------
date = "Tue, 01 Dec 2026 09:14:02 +0100"
BAD_RT = reply_to(BAD_T14)
text = "\n".join(["done", "", "On 12/1/26 9:00 AM, kept wrote:"] + flowed_quote(L1, width=72)) + "\n"
hdr = (received_mx("mail.example.org", "192.0.2.10", "4Fm2bM3cXsz9tVr", BAD_RT, date, proto="ESMTPSA",
                   extra="\n\t(Authenticated sender: dana)")
       + f"""Message-ID: <0e7b3c9a-5f2d-4a1e-8c6b-9d4f2a7e1b30@example.org>
Date: Tue, 1 Dec 2026 09:14:02 +0100
MIME-Version: 1.0
User-Agent: Mozilla Thunderbird
Subject: Re: {SUBJ1}
To: {BAD_RT}
References: {MID1}
Content-Language: en-US
From: =?UTF-8?Q?Dana_Wei=C3=9F?= <dana@example.org>
In-Reply-To: {MID1}
Content-Type: text/plain; charset=UTF-8; format=flowed
Content-Transfer-Encoding: 8bit
""")
fixture("14-wrong-token.eml", build(hdr, text.encode("utf-8")),
        client="Thunderbird 128",
        tests="the token in To is one character off (fails the HMAC); In-Reply-To and References name the real "
              "reminder (with the real token inside its Message-ID) and must not rescue it",
        reminder=K1, token=BAD_T14, token_valid=False,
        expected=expect(None, None, ignored=True, reason="bad-token"))

# 15 token of another reminder ----------------------------------------------------------------------------
date = "Tue, 01 Dec 2026 09:15:19 +0100"
attr = "On 1 Dec 2026, at 09:00, kept <kept@host.example> wrote:"
text = "\n".join(["done", ""] + flowed_quote([attr, ""] + L1)) + "\n"
hdr = (received_mx("mail.example.org", "192.0.2.10", "4Fm2cW9hZdz9tVs", RT2, date, proto="ESMTPSA",
                   extra="\n\t(Authenticated sender: dana)")
       + f"""Content-Type: text/plain;
\tcharset=utf-8;
\tformat=flowed
Mime-Version: 1.0 (Mac OS X Mail 16.0 \\(3826.400.131.1.6\\))
Subject: Re: {SUBJ1}
From: =?utf-8?Q?Dana_Wei=C3=9F?= <dana@example.org>
In-Reply-To: {MID1}
Date: Tue, 1 Dec 2026 09:15:19 +0100
Content-Transfer-Encoding: quoted-printable
Message-Id: <7C2E9A1F-3B5D-4F8E-9A2C-6E1D4B8F0A37@example.org>
References: {MID1}
To: {RT2}
X-Mailer: Apple Mail (2.3826.400.131.1.6)
""")
fixture("15-token-of-other-reminder.eml", build(hdr, qp(text)),
        client="Apple Mail 16 (macOS), single text/plain part",
        tests="To carries the valid token of 1.15#2/lead while In-Reply-To/References and the quoted text are the "
              "1.14#1/due reminder (a token replayed onto another thread); acting on either reminder is wrong",
        reminder=K1, token=T2, token_reminder=K2, thread_reminder=K1,
        expected=expect(None, None, ignored=True, reason="token-thread-mismatch"))

# 16 out-of-office autoresponder -----------------------------------------------------------------------
date = "Tue, 01 Dec 2026 09:00:04 +0100"
text = """Done for the year \u2013 I am out of the office until Monday 4 January 2027 and
will not be reading email.

For anything about an Acme Corp invoice please write to accounts@example.org.

Dana Wei\u00df
"""
hdr = (received_mx("mail.example.org", "192.0.2.10", "4Fm2dE1fYgz9tVt", RT1, date, proto="ESMTP")
       + f"""Date: Tue, 1 Dec 2026 09:00:04 +0100
From: =?UTF-8?Q?Dana_Wei=C3=9F?= <dana@example.org>
To: {RT1}
Subject: Out of office: Re: {SUBJ1}
In-Reply-To: {MID1}
References: {MID1}
Message-ID: <autoreply.1796112004.31337@mail.example.org>
Auto-Submitted: auto-replied
X-Autoreply: yes
Precedence: bulk
MIME-Version: 1.0
Content-Type: text/plain; charset=UTF-8
Content-Transfer-Encoding: 8bit
""")
fixture("16-out-of-office-autoreply.eml", build(hdr, text.encode("utf-8")),
        client="a hosted-mail vacation autoresponder that answers the Reply-To address",
        tests="Auto-Submitted: auto-replied (RFC 3834), X-Autoreply, Precedence: bulk; its first line even starts "
              "with a verb ('Done for the year – …'), so the headers alone must decide. (Whether a responder "
              "answers Reply-To or the envelope sender varies; this one answers Reply-To, so it reaches the token "
              "address.)",
        reminder=K1, token=T1, expected=expect(None, None, ignored=True, reason="auto-submitted"))

# 17 Exchange automatic reply ---------------------------------------------------------------------------
date = "Tue, 01 Dec 2026 09:00:06 +0100"
oof = ["Thank you for your message. I am out of the office until 4 January 2027 with no access to email.",
       "", "Note: for invoices and payments please contact accounts@example.org.", "", "Kind regards,",
       "Dana Wei\u00df"]
text = "\n".join(oof) + "\n"
htm = ('<html>\n<head>\n<meta http-equiv="Content-Type" content="text/html; charset=utf-8">\n</head>\n<body>\n'
       '<div style="font-family: Aptos, Aptos_EmbeddedFont, Aptos_MSFontService, Calibri, Helvetica, sans-serif; font-size: 12pt;">\n'
       + "\n".join(f"<div>{esc(l) if l else '<br>'}</div>" for l in oof) + "\n</div>\n</body>\n</html>\n")
B = "_000_AM9PR07MB72217E0A1F3C2B9D4E6F8A0CAM9PR07MB7221eurp_"
hdr = (received_mx("EUR05-DB8-obe.outbound.protection.outlook.com", "40.107.20.72", "4Fm2eQ5jUhz9tVu", RT1, date)
       + f"""From: =?utf-8?B?RGFuYSBXZWnDnw==?= <dana@example.org>
To: "{RT1}"
\t<{RT1}>
Subject: Automatic reply: {SUBJ1}
Thread-Topic: {SUBJ1}
Thread-Index: AQHbQ8BqR0x2Yk5eQ0q1Vt7Wc9N3Aw==
Date: Tue, 1 Dec 2026 08:00:06 +0000
Message-ID:
 <AM9PR07MB72217E0A1F3C2B9D4E6F8A0CA3D2A@AM9PR07MB7221.eurprd07.prod.outlook.com>
References: {MID1}
In-Reply-To: {MID1}
Content-Language: en-GB
X-MS-Has-Attach:
X-MS-Exchange-Organization-SCL: -1
X-MS-TNEF-Correlator:
X-MS-Exchange-Organization-RecordReviewCfmType: 0
x-ms-exchange-parent-message-id: {MID1}
auto-submitted: auto-generated
x-ms-exchange-generated-message-source: Mailbox Rules Agent
X-Auto-Response-Suppress: All
Content-Type: multipart/alternative;
\tboundary="{B}"
MIME-Version: 1.0
""")
body = multipart(B, [
    part('Content-Type: text/plain; charset="utf-8"\nContent-Transfer-Encoding: base64', b64(text)),
    part('Content-Type: text/html; charset="utf-8"\nContent-Transfer-Encoding: base64', b64(htm)),
], epilogue=b"")
fixture("17-exchange-automatic-reply.eml", build(hdr, body),
        client="Exchange Online automatic reply (OOF)",
        tests="'Automatic reply:' subject, X-Auto-Response-Suppress: All, lower-case 'auto-submitted: "
              "auto-generated' (header names are case-insensitive), x-ms-exchange-generated-message-source; base64 "
              "parts; a 'Note:' line in the body. The reminder's Message-ID also sits in "
              "x-ms-exchange-parent-message-id",
        reminder=K1, token=T1, expected=expect(None, None, ignored=True, reason="auto-submitted"))

# 18 delivery status notification ----------------------------------------------------------------------
rem_hdr = f"""Return-Path: <kept@host.example>
Received: by host.example (Postfix, from userid 1000)
\tid 7C3D91C0E5; Tue,  1 Dec 2026 09:00:02 +0100 (CET)
From: kept <kept@host.example>
To: dana@example.org
Reply-To: {RT1}
Date: {SENT}
Message-ID: {MID1}
Subject: {SUBJ1}
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable
Auto-Submitted: auto-generated
X-Auto-Response-Suppress: All
X-Kept-Key: {K1}
X-Kept-Kind: due
X-Kept-Incident: 1
X-Kept-Item: 1.14
"""
reminder_bytes = rem_hdr.encode() + b"\n" + qp(REM1 + "\n").encode()
B = "7C3D91C0E5.1796112007/host.example"
notif = """This is the mail system at host host.example.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients. It's attached below.

For further assistance, please send mail to postmaster.

If you do so, please include this problem report. You can
delete your own text from the attached returned message.

                   The mail system

<dana@example.org>: host mx.example.org[192.0.2.25] said: 552 5.2.2 Mailbox
    full (in reply to end of DATA command)
"""
status = """Reporting-MTA: dns; host.example
X-Postfix-Queue-ID: 7C3D91C0E5
X-Postfix-Sender: rfc822; kept@host.example
Arrival-Date: Tue,  1 Dec 2026 09:00:02 +0100 (CET)

Final-Recipient: rfc822; dana@example.org
Original-Recipient: rfc822;dana@example.org
Action: failed
Status: 5.2.2
Remote-MTA: dns; mx.example.org
Diagnostic-Code: smtp; 552 5.2.2 Mailbox full
"""
hdr = f"""Return-Path: <>
X-Original-To: kept@host.example
Delivered-To: kept@host.example
Received: by host.example (Postfix)
\tid 9E1F21C0E7; Tue,  1 Dec 2026 09:00:07 +0100 (CET)
Date: Tue,  1 Dec 2026 09:00:07 +0100 (CET)
From: MAILER-DAEMON@host.example (Mail Delivery System)
Subject: Undelivered Mail Returned to Sender
To: kept@host.example
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
\tboundary="{B}"
Content-Transfer-Encoding: 8bit
Message-Id: <20261201080007.9E1F21C0E7@host.example>
"""
body = multipart(B, [
    part("Content-Description: Notification\nContent-Type: text/plain; charset=us-ascii", notif),
    part("Content-Description: Delivery report\nContent-Type: message/delivery-status", status),
    part("Content-Description: Undelivered Message\nContent-Type: message/rfc822\nContent-Transfer-Encoding: 8bit",
         reminder_bytes),
], preamble=b"This is a MIME-encapsulated message.\n\n", epilogue=b"")
fixture("18-dsn-bounce.eml", build(hdr, body),
        client="Postfix bounce(8) delivery status notification (RFC 3464)",
        tests="multipart/report; report-type=delivery-status from MAILER-DAEMON with an empty Return-Path, sent to "
              "kept's envelope sender (kept@host.example, the From of reminders, passed to sendmail -f); the third "
              "part is the original reminder as message/rfc822, whose body holds 'kept done 1.14' and the reply "
              "footer and whose Reply-To/Message-ID hold the token. Never a command; it is the delivery failure of "
              "reminder 1.14#1/due (Final-Recipient dana@example.org, Status 5.2.2)",
        reminder=K1, token=T1,
        expected=expect(None, None, ignored=True, reason="delivery-status-notification"),
        bounce_of=K1, bounce_message_id=MID1, bounce_recipient=OWNER, bounce_status="5.2.2")

# 19 mailing-list copy --------------------------------------------------------------------------------
date = "Tue, 01 Dec 2026 09:16:44 +0100"
text = "\n".join(["done", "", "On 12/1/26 9:00 AM, kept wrote:"] + flowed_quote(L1[:6] + ["[...]"], width=72)
                 + ["", "_______________________________________________",
                    "Team mailing list -- team@lists.example.org",
                    "To unsubscribe send an email to team-leave@lists.example.org"]) + "\n"
hdr = f"""Received: from lists.example.org (lists.example.org [192.0.2.30])
\tby mx.example.org (Postfix) with ESMTPS id 4Fm2fY8kVjz9tVv
\tfor <dana@example.org>; Tue,  1 Dec 2026 09:16:47 +0100 (CET)
From: =?UTF-8?Q?Dana_Wei=C3=9F?= <dana@example.org>
To: {RT1}
Cc: team@lists.example.org
Subject: [Team] Re: {SUBJ1}
Date: Tue, 1 Dec 2026 09:16:44 +0100
Message-ID: <4a8e2c7f-1d3b-4f6e-a9c5-8b2d7e0f3a16@example.org>
In-Reply-To: {MID1}
References: {MID1}
MIME-Version: 1.0
User-Agent: Mozilla Thunderbird
Content-Language: en-US
Content-Type: text/plain; charset="utf-8"; format="flowed"
Content-Transfer-Encoding: 8bit
Message-ID-Hash: 3XQZK7W2M4B5N6C7V8L9R0T1Y2U3I4O5
X-Message-ID-Hash: 3XQZK7W2M4B5N6C7V8L9R0T1Y2U3I4O5
X-MailFrom: dana@example.org
X-Mailman-Rule-Misses: dmarc-mitigation; no-senders; approved; emergency; loop; banned-address; member-moderation; nonmember-moderation; administrivia; implicit-dest; max-recipients; max-size; news-moderation; no-subject; digests; suspicious-header
X-Mailman-Version: 3.3.9
Precedence: list
List-Id: Account team <team.lists.example.org>
Archived-At: <https://lists.example.org/archives/list/team@lists.example.org/message/3XQZK7W2M4B5N6C7V8L9R0T1Y2U3I4O5/>
List-Archive: <https://lists.example.org/archives/list/team@lists.example.org/>
List-Help: <mailto:team-request@lists.example.org?subject=help>
List-Owner: <mailto:team-owner@lists.example.org>
List-Post: <mailto:team@lists.example.org>
List-Subscribe: <mailto:team-join@lists.example.org>
List-Unsubscribe: <mailto:team-leave@lists.example.org>
"""
fixture("19-mailing-list-copy.eml", build(hdr, text.encode("utf-8")),
        client="Mailman 3.3 list copy of the owner's own reply (she Cc'd the team list)",
        tests="List-Id, Precedence: list, List-* and Mailman headers on a message that is otherwise a perfect "
              "'done' from the owner with a valid token: the direct copy acts, the list's redistribution must not "
              "(it would be a second 'done' from the same Message-ID)",
        reminder=K1, token=T1, expected=expect(None, None, ignored=True, reason="list-mail"))

# 20 empty own text, the quote holds 'done' and the reminder's commands ------------------------------
date = "Tue, 01 Dec 2026 09:17:20 +0100"
inner = ["done called Dana, she is happy", "", "On Tue, Dec 1, 2026 at 9:00\u202fAM kept <kept@host.example> wrote:", ""] \
    + quote(L1, width=74)
attr = "On Tue, Dec 1, 2026 at 9:04\u202fAM Dana Wei\u00df <dana@example.org> wrote:"
text = "\n".join(["", attr, ""] + quote(inner, prefix="> ", empty=">")) + "\n"
inner_html = ('<div dir="ltr">done called Dana, she is happy</div><br>'
              + gmail_quote_html("On Tue, Dec 1, 2026 at 9:00\u202fAM " + KEPT_A + " wrote:", L1))
htm = ('<div dir="ltr"><br></div><br><div class="gmail_quote gmail_quote_container"><div dir="ltr" class="gmail_attr">'
       'On Tue, Dec 1, 2026 at 9:04\u202fAM Dana Wei\u00df &lt;<a href="mailto:dana@example.org">dana@example.org</a>&gt; wrote:<br></div>'
       '<blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex;border-left:1px solid rgb(204,204,204);padding-left:1ex">'
       + inner_html + '</blockquote></div>\n')
B = "000000000000e8a1b705f8b2f0c2"
hdr = (gmail_transport(date, "4Fm2gK2nWkz9tVw", "g20", RT1)
       + f"""MIME-Version: 1.0
References: {MID1}
 {GMAIL01_MID}
In-Reply-To: {GMAIL01_MID}
From: =?UTF-8?Q?Dana_Wei=C3=9F?= <dana@example.org>
Date: Tue, 1 Dec 2026 09:17:20 +0100
Message-ID: <CAE7m2pTz5Nb2Wq8Ye1Lh4Rv0Sx6Kc3Gd9Fa7Mj_iPo2Ut5Qy@mail.gmail.com>
Subject: Re: {SUBJ1}
To: {RT1}
Content-Type: multipart/alternative; boundary="{B}"
""")
body = multipart(B, [
    part('Content-Type: text/plain; charset="UTF-8"\nContent-Transfer-Encoding: quoted-printable', qp(text)),
    part('Content-Type: text/html; charset="UTF-8"\nContent-Transfer-Encoding: quoted-printable', qp(htm)),
])
fixture("20-empty-reply-quote-has-done.eml", build(hdr, body),
        client="Gmail web (Send pressed on an empty reply to the owner's own earlier reply)",
        tests="no own text at all: the body starts with a blank line and the attribution; the two-level quote "
              "('>' then '> >') holds the earlier 'done called Dana, she is happy' and the reminder's 'kept done 1.14' "
              "/ footer lines. In-Reply-To is the owner's earlier reply (01's Message-ID), the reminder is only in "
              "References",
        reminder=K1, token=T1, expected=expect(None, None, ignored=True, reason="no-own-text"))

# 21 a forward that carries another reminder's commands -----------------------------------------------
date = "Tue, 01 Dec 2026 09:18:03 +0100"
own = ["Sam, can you take this one? I am with Acme all morning.", "", "Dana"]
fwd = ["---------- Forwarded message ---------", "From: kept <kept@host.example>",
       "Date: Tue, Dec 1, 2026 at 9:00\u202fAM", f"Subject: {SUBJ2}", "To: <dana@example.org>", ""]
text = "\n".join(own + ["", ""] + fwd + L2) + "\n"
htm = ('<div dir="ltr"><div>' + esc(own[0]) + '</div><div><br></div><div>Dana</div><br>'
       '<div class="gmail_quote gmail_quote_container"><div dir="ltr" class="gmail_attr">---------- Forwarded message ---------<br>'
       'From: <strong class="gmail_sendername" dir="auto">kept</strong> <span dir="auto">&lt;<a href="mailto:kept@host.example">kept@host.example</a>&gt;</span><br>'
       'Date: Tue, Dec 1, 2026 at 9:00\u202fAM<br>Subject: ' + esc(SUBJ2) + '<br>To: &lt;<a href="mailto:dana@example.org">dana@example.org</a>&gt;<br></div><br><br>'
       + lines_to_br(L2) + '\n</div></div>\n')
B = "000000000000f1b3c805f8b2f3d4"
hdr = (gmail_transport(date, "4Fm2hS6pXmz9tVx", "g21", RT1)
       + f"""MIME-Version: 1.0
References: {MID2}
In-Reply-To: {MID2}
From: =?UTF-8?Q?Dana_Wei=C3=9F?= <dana@example.org>
Date: Tue, 1 Dec 2026 09:18:03 +0100
Message-ID: <CAE7m2pVb8Qc4Ej1Tn6Wx2Lm9Ky3Rs0Hf5Dg7Zo_aJp4Xv1Nu@mail.gmail.com>
Subject: Fwd: {SUBJ2}
To: {RT1}
Content-Type: multipart/alternative; boundary="{B}"
""")
body = multipart(B, [
    part('Content-Type: text/plain; charset="UTF-8"\nContent-Transfer-Encoding: quoted-printable', qp(text)),
    part('Content-Type: text/html; charset="UTF-8"\nContent-Transfer-Encoding: quoted-printable', qp(htm)),
])
fixture("21-forward-quotes-other-reminder.eml", build(hdr, body),
        client="Gmail web, Forward, with Gmail's autocomplete picking the remembered 1.14 reply address for 'Sam'",
        tests="the forwarded 1.15#2/lead reminder is not '>'-quoted: it follows Gmail's '---------- Forwarded "
              "message ---------' block and holds 'kept done 1.15#2', 'kept snooze 1.15#2 4h' and the reply footer; "
              "own text has no verb; To has 1.14's token while In-Reply-To/References name 1.15's reminder (Gmail "
              "threads forwards). Nothing happens to 1.14 or 1.15",
        reminder=K1, token=T1, thread_reminder=K2,
        expected=expect(None, None, ignored=True, reason="token-thread-mismatch",
                        outcome="even if the mismatch were allowed: own text 'Sam, can you take this one?…' is no verb"))

# 22 kept's own reminder arriving at the reply address -----------------------------------------------
own_rem_hdr = f"""Return-Path: <dana@example.org>
X-Original-To: {RT1}
Delivered-To: {RT1}
Received: by host.example (Postfix, from userid 1000)
\tid 6B2C80C0D4; Tue,  1 Dec 2026 09:00:01 +0100 (CET)
From: kept <dana@example.org>
To: {RT1}
Date: {SENT}
Message-ID: {MID1}
Subject: {SUBJ1}
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable
Reply-To: {RT1}
Auto-Submitted: auto-generated
X-Auto-Response-Suppress: All
X-Kept-Key: {K1}
X-Kept-Kind: due
X-Kept-Incident: 1
X-Kept-Item: 1.14
"""
fixture("22-own-reminder-loop.eml", build(own_rem_hdr, qp(REM1 + "\n")),
        client="keptd itself (email.from set to the owner's address, email.to set to a +kept address)",
        tests="kept's own reminder delivered to the reply address: From is the owner's address (a common setting, "
              "to pass SPF/DMARC) and the token is valid, the body has 'done [NOTE]' and 'kept done 1.14' lines; "
              "only Auto-Submitted: auto-generated, X-Kept-Key and the Message-ID (kept's own, equal to the thread "
              "it would answer) tell it apart",
        reminder=K1, token=T1, expected=expect(None, None, ignored=True, reason="own-message"))

# 23 unknown verb --------------------------------------------------------------------------------------
date = "Tue, 01 Dec 2026 09:19:11 +0100"
attr = "On Tuesday, December 1st, 2026 at 09:00, kept <kept@host.example> wrote:"
text = "\n".join(["thanks!", "", "Sent with Proton Mail secure email.", "", attr, ""] + quote(L1)) + "\n"
htm = ('<div style="font-family: Arial, sans-serif; font-size: 14px;">thanks!</div>'
       '<div class="protonmail_signature_block" style="font-family: Arial, sans-serif; font-size: 14px;">'
       '<div class="protonmail_signature_block-user protonmail_signature_block-empty"></div>'
       '<div class="protonmail_signature_block-proton">Sent with <a target="_blank" href="https://proton.me/mail/home">Proton Mail</a> secure email.</div></div>'
       '<div class="protonmail_quote">' + esc(attr) + '<br><blockquote class="protonmail_quote" type="cite">'
       + lines_to_br(L1) + '</blockquote><br></div>')
B = "b1=_Xq7vR2mK9pL4sT8wN1cF6hJ3dA0gZ5yB"
hdr = (received_mx("mail-4316.protonmail.ch", "185.70.43.16", "4Fm2jB0rYnz9tVy", RT1, date)
       + auth_results(dkim_d="example.org", sel="protonmail3")
       + dkim("example.org", "protonmail3", "Date:To:From:Subject:Message-ID:In-Reply-To:References:Feedback-ID:From:To:Cc:Date:Subject:Reply-To:Feedback-ID:Message-ID:BIMI-Selector", "p23", ts(date))
       + f"""Date: Tue, 01 Dec 2026 08:19:11 +0000
To: {RT1}
From: =?utf-8?Q?Dana_Wei=C3=9F?= <dana@example.org>
Subject: Re: {SUBJ1}
Message-ID: <Zx8Qm3vRk2Tn9LpW4cYb1Hs6Ja0Fd5Ge7Ku_Vo3Ni8Pq=@example.org>
In-Reply-To: {MID1}
References: {MID1}
Feedback-ID: 81234567:user:proton
X-Pm-Message-ID: 9e4d0c3a7f1b2e8d6a5c4b3a2918f7e6d5c4b3a2
MIME-Version: 1.0
Content-Type: multipart/alternative;
 boundary="{B}"
""")
body = multipart(B, [
    part('Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable', qp(text)),
    part('Content-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: quoted-printable', qp(htm)),
], preamble=b"This is a multi-part message in MIME format.\n\n")
fixture("23-unknown-verb-thanks.eml", build(hdr, body),
        client="Proton Mail web (custom domain)",
        tests="a genuine, authenticated reply whose first line 'thanks!' is no verb: nothing changes and the "
              "confirmation says nothing was understood; Proton's attribution uses an ordinal day ('December 1st')",
        reminder=K1, token=T1,
        expected=expect(None, None, ignored=False, reason=None, line="thanks!",
                        outcome="understood nothing; confirmation says so"))

# 24 snooze past the window ----------------------------------------------------------------------------
date = "Tue, 01 Dec 2026 09:25:17 +0100"
text = "\n".join(["snooze 400d", "", "On Tue, 1 Dec 2026, at 09:00, kept wrote:"] + quote(L1)) + "\n"
htm = ('<!DOCTYPE html><html><head><title></title><style type="text/css">p.MsoNormal,p.MsoNoSpacing{margin:0}</style>'
       '</head><body><div>snooze 400d</div><div><br></div><div>On Tue, 1 Dec 2026, at 09:00, kept wrote:</div>'
       '<blockquote type="cite" id="qt" style=""><div style="font-family:monospace;white-space:pre-wrap">'
       + "\n".join(esc(l) for l in L1) + "</div></blockquote><div><br></div></body></html>")
B = "1a2f9c7e4b3d48e6a0c5f1b2d3e4a5b6"
hdr = (received_mx("fout-b4-smtp.messagingengine.com", "202.12.124.147", "4Fm2kR4tZpz9tVz", RT1, date)
       + auth_results(dkim_d="example.org", sel="fm1")
       + dkim("example.org", "fm1", "from:from:reply-to:subject:subject:date:date\n\t:message-id:message-id:to:to:cc:mime-version:mime-version:content-type\n\t:content-type:in-reply-to:in-reply-to:references:references", "f24", ts(date))
       + f"""MIME-Version: 1.0
Message-Id: <7f3a9c2e-1b4d-4e8f-a6c0-2d9b1e7f3a48@app.fastmail.com>
In-Reply-To: {MID1}
References: {MID1}
Date: Tue, 01 Dec 2026 09:25:17 +0100
From: =?UTF-8?Q?Dana_Wei=C3=9F?= <dana@example.org>
To: {RT1}
Subject: Re: {SUBJ1}
User-Agent: Cyrus-JMAP/3.13.0-alpha0-1214-g3c5f1e8d2-fm-20261124.001-g3c5f1e8d
Content-Type: multipart/alternative;
 boundary={B}
""")
body = multipart(B, [
    part("Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable", qp(text)),
    part("Content-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: quoted-printable", qp(htm)),
])
fixture("24-snooze-past-window.eml", build(hdr, body),
        client="Fastmail web",
        tests="a well-formed 'snooze 400d' whose end falls far past the incident's window (ends 2026-12-12): "
              "understood, refused, no change; Fastmail attribution without the address ('…, kept wrote:'), HTML "
              "blockquote#qt",
        reminder=K1, token=T1,
        expected=expect("snooze", "400d", ignored=False, actions=0, line="snooze 400d",
                        outcome="rejected: past the incident's window; no change"))

# 25 Gmail, Italian, attribution wrapped over two lines ------------------------------------------------
date = "Tue, 01 Dec 2026 09:26:40 +0100"
own = "note il cliente richiama gioved\u00ec"
attr1, attr2 = "Il giorno mar 1 dic 2026 alle ore 09:00 kept <kept@host.example> ha", "scritto:"
text = "\n".join([own, "", attr1, attr2, ""] + quote(L1, width=76)) + "\n"
htm = (f'<div dir="ltr">{esc(own)}</div><br>'
       + gmail_quote_html("Il giorno mar 1 dic 2026 alle ore 09:00 " + KEPT_A + " ha scritto:", L1))
B = "0000000000002c7e9a05f8b2f6e5"
hdr = (gmail_transport(date, "4Fm2mD8vBqz9tW0", "g25", RT1)
       + f"""MIME-Version: 1.0
References: {MID1}
In-Reply-To: {MID1}
From: =?UTF-8?Q?Dana_Wei=C3=9F?= <dana@example.org>
Date: Tue, 1 Dec 2026 09:26:40 +0100
Message-ID: <CAE7m2pXd1Ta6Gk3Vp8Yz4No1Mb5Tu2Jh7Fi9Bq_cLr6Zx3Pw@mail.gmail.com>
Subject: Re: {SUBJ1}
To: {RT1}
Content-Type: multipart/alternative; boundary="{B}"
""")
body = multipart(B, [
    part('Content-Type: text/plain; charset="UTF-8"\nContent-Transfer-Encoding: quoted-printable', qp(text)),
    part('Content-Type: text/html; charset="UTF-8"\nContent-Transfer-Encoding: quoted-printable', qp(htm)),
])
fixture("25-gmail-it-wrapped-attribution.eml", build(hdr, body),
        client="Gmail web, Italian interface",
        tests="the 77-character Italian attribution is hard-wrapped by Gmail's text/plain ('… <kept@host.example> ha' "
              "/ 'scritto:'), so no single line matches an attribution pattern; the HTML has it on one line; "
              "non-ASCII note (ì)",
        reminder=K1, token=T1, expected=expect("note", "il cliente richiama gioved\u00ec", line=own))

# 26 Outlook plain-text compose ("-----Original Message-----") ----------------------------------------
date = "Tue, 01 Dec 2026 09:27:33 +0100"
text = "\n".join(["snooze 4h", "", "-----Original Message-----"] + block + [""] + L1) + "\n"
hdr = (received_mx("mail.example.org", "192.0.2.10", "4Fm2nL2wCrz9tW1", RT1, date, proto="ESMTPSA",
                   extra="\n\t(Authenticated sender: dana)")
       + f"""From: =?iso-8859-1?Q?Dana_Wei=DF?= <dana@example.org>
To: <{RT1}>
References: {MID1}
In-Reply-To: {MID1}
Subject: RE: {SUBJ1}
Date: Tue, 1 Dec 2026 09:27:33 +0100
Message-ID: <000201db43c6$7d3e9f10$77bbdd30$@example.org>
MIME-Version: 1.0
Content-Type: text/plain;
\tcharset="iso-8859-1"
Content-Transfer-Encoding: quoted-printable
X-Mailer: Microsoft Outlook 16.0
Thread-Index: AQHbQ8JeipsgG5/RYGsAAQDBBrZQ6rN1qX3QgAAC1OA=
Content-Language: en-gb
""")
plain26 = text.replace("\u2014", "-")   # Outlook's Latin-1 plain text cannot hold the em dash
fixture("26-outlook-plaintext-original-message.eml", build(hdr, qp(plain26, "iso-8859-1")),
        client="Microsoft Outlook 16.0 (Windows), plain-text compose",
        tests="single text/plain part; the quote starts at '-----Original Message-----' followed by an unprefixed "
              "From:/Sent:/To:/Subject: block and the original text; iso-8859-1 QP (the em dash became '-')",
        reminder=K1, token=T1, expected=expect("snooze", "4h", line="snooze 4h"))

# 27 Samsung Email --------------------------------------------------------------------------------------
date = "Tue, 01 Dec 2026 09:28:10 +0100"
own = "release Acme cancelled the order"
sblock = ["-------- Original message --------", "From: kept <kept@host.example> ", "Date: 12/1/26  09:00  (GMT+01:00) ",
          "To: dana@example.org ", f"Subject: {SUBJ1} ", ""]
text = "\n".join([own, "", "", "", "Sent from my Galaxy", "", "", ""] + sblock + L1) + "\n"
htm = ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=UTF-8"></head><body>'
       f'<div dir="auto">{esc(own)}</div><div dir="auto"><br></div><div dir="auto"><br></div>'
       '<div id="composer_signature" dir="auto"><div style="font-size:12px;color:#575757" dir="auto">Sent from my Galaxy</div></div>'
       '<div dir="auto"><br></div><div><br></div><div align="left" dir="auto" style="font-size:100%;color:#000000">'
       + "".join(f"<div>{esc(l)}</div>" for l in sblock[:-1]) + "<div><br></div></div>"
       + lines_to_br(L1) + "</body></html>")
B = "--_com.samsung.android.email_1796113690123456789"
hdr = (received_mx("mail.example.org", "192.0.2.10", "4Fm2pT6xDsz9tW2", RT1, date, proto="ESMTPSA",
                   extra="\n\t(Authenticated sender: dana)")
       + f"""Message-ID: <qr0s8a9bgd6x8htlk9b3v2m5.1796113690123@email.android.com>
Date: Tue, 01 Dec 2026 09:28:10 +0100
Subject: Re: {SUBJ1}
In-Reply-To: {MID1}
References: {MID1}
From: =?UTF-8?B?RGFuYSBXZWnDnw==?= <dana@example.org>
To: {RT1}
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="{B}"
""")
body = multipart(B, [
    part("Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64", b64(text)),
    part("Content-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: base64", b64(htm)),
])
fixture("27-samsung-email-release.eml", build(hdr, body),
        client="Samsung Email (One UI 6, Galaxy phone)",
        tests="'Sent from my Galaxy' signature after three blank lines; quote starts at '-------- Original message "
              "--------' with trailing spaces on the header lines and a doubled-space Date; base64 text and HTML; "
              "HTML div#composer_signature; RFC 2047 B-encoded From",
        reminder=K1, token=T1, expected=expect("release", "Acme cancelled the order", line=own))

# 28 Outlook for iOS --------------------------------------------------------------------------------------
date = "Tue, 01 Dec 2026 09:29:02 +0100"
oblock = ["From: kept <kept@host.example>", "Sent: Tuesday, December 1, 2026 9:00:00 AM",
          "To: dana@example.org <dana@example.org>", f"Subject: {SUBJ1}"]
text = "\n".join(["snooze 3h", "", "Get Outlook for iOS<https://aka.ms/o0ukef>", "_" * 32] + oblock + [""] + L1) + "\n"
htm = ('<html>\n<head>\n<meta http-equiv="Content-Type" content="text/html; charset=utf-8">\n</head>\n<body>\n'
       '<div dir="ltr">snooze 3h</div>\n<div dir="ltr"><br>\n</div>\n'
       '<div id="ms-outlook-mobile-signature" dir="ltr">Get <a href="https://aka.ms/o0ukef">Outlook for iOS</a></div>\n'
       '<div id="mail-editor-reference-message-container" dir="ltr"><br>\n<hr style="display:inline-block;width:98%" tabindex="-1">\n'
       '<div id="divRplyFwdMsg" dir="ltr"><font face="Calibri, sans-serif" style="font-size:11pt" color="#000000"><b>From:</b> kept &lt;kept@host.example&gt;<br>\n'
       '<b>Sent:</b> Tuesday, December 1, 2026 9:00:00 AM<br>\n<b>To:</b> dana@example.org &lt;dana@example.org&gt;<br>\n'
       f'<b>Subject:</b> {esc(SUBJ1)}</font>\n<div>&nbsp;</div>\n</div>\n'
       '<div class="BodyFragment"><font size="2"><span style="font-size:11pt;">\n<div class="PlainText">'
       + lines_to_br(L1, sep="<br>\n") + '\n</div>\n</span></font></div>\n</div>\n</body>\n</html>\n')
B = "_000_PAXPR08MB7351B2C4D6E8F0A1B3C5D7E9F1A2PAXPR08MB7351eurp_"
hdr = (received_mx("EUR05-DB8-obe.outbound.protection.outlook.com", "40.107.20.73", "4Fm2qB0yFtz9tW3", RT1, date)
       + auth_results(dkim_d="example.org", sel="selector1")
       + f"""From: =?utf-8?B?RGFuYSBXZWnDnw==?= <dana@example.org>
To: "{RT1}"
\t<{RT1}>
Subject: Re: {SUBJ1}
Thread-Topic: {SUBJ1}
Thread-Index: AQHbQ8d1m8Zt2Wc3S0e4n6Vb1Yq2Pw==
Date: Tue, 1 Dec 2026 08:29:02 +0000
Message-ID:
 <PAXPR08MB7351B2C4D6E8F0A1B3C5D7E9F1A2@PAXPR08MB7351.eurprd08.prod.outlook.com>
References: {MID1}
In-Reply-To: {MID1}
Accept-Language: en-GB, en-US
Content-Language: en-GB
X-MS-Has-Attach:
X-MS-TNEF-Correlator:
x-ms-publictraffictype: Email
Content-Type: multipart/alternative;
\tboundary="{B}"
MIME-Version: 1.0
""")
body = multipart(B, [
    part('Content-Type: text/plain; charset="utf-8"\nContent-Transfer-Encoding: quoted-printable', qp(text)),
    part('Content-Type: text/html; charset="utf-8"\nContent-Transfer-Encoding: quoted-printable', qp(htm)),
], epilogue=b"")
fixture("28-outlook-ios-snooze.eml", build(hdr, body),
        client="Outlook for iOS (Microsoft 365 account)",
        tests="'Get Outlook for iOS<https://aka.ms/o0ukef>' signature, then a line of 32 underscores and the "
              "From:/Sent:/To:/Subject: block (no '>' quoting); HTML ids ms-outlook-mobile-signature, "
              "mail-editor-reference-message-container, divRplyFwdMsg",
        reminder=K1, token=T1, expected=expect("snooze", "3h", line="snooze 3h"))

# 29 iPhone Mail, Dutch ------------------------------------------------------------------------------------
date = "Tue, 01 Dec 2026 09:29:48 +0100"
attr = "Op 1 dec 2026 om 09:00 heeft kept <kept@host.example> het volgende geschreven:"
ql = ["\ufeff" + L1[0]] + L1[1:]
text = "\n".join(["done", "", "Verstuurd vanaf mijn iPhone", ""] + quote([attr, ""] + ql)) + "\n"
htm = ('<html><head><meta http-equiv="content-type" content="text/html; charset=utf-8"></head><body dir="auto">'
       'done<br id="lineBreakAtBeginningOfSignature"><div dir="ltr">Verstuurd vanaf mijn iPhone</div><div dir="ltr"><br>'
       f'<blockquote type="cite">{esc(attr)}<br><br></blockquote></div><blockquote type="cite"><div dir="ltr">'
       + lines_to_br(ql, sep="<br>") + '</div></blockquote></body></html>')
B = "Apple-Mail-2D7F4A1B-8E3C-4B9A-A6D5-7C1E0F3B9D82"
hdr = (received_mx("mail.example.org", "192.0.2.10", "4Fm2rK4zGvz9tW4", RT1, date, proto="ESMTPSA",
                   extra="\n\t(Authenticated sender: dana)")
       + f"""Content-Type: multipart/alternative; boundary={B}
Content-Transfer-Encoding: 7bit
From: =?utf-8?Q?Dana_Wei=C3=9F?= <dana@example.org>
Mime-Version: 1.0 (1.0)
Date: Tue, 1 Dec 2026 09:29:48 +0100
Subject: Re: {SUBJ1}
Message-Id: <E4B1C7A2-6D3F-4E9B-8A5C-0F2D7B3E1C96@example.org>
References: {MID1}
In-Reply-To: {MID1}
To: {RT1}
X-Mailer: iPhone Mail (22B91)
""")
body = multipart(B, [
    part("Content-Type: text/plain;\n\tcharset=utf-8\nContent-Transfer-Encoding: quoted-printable", qp(text)),
    part("Content-Type: text/html;\n\tcharset=utf-8\nContent-Transfer-Encoding: quoted-printable", qp(htm)),
], epilogue=b"")
fixture("29-iphone-nl-done.eml", build(hdr, body),
        client="Mail on iOS 18, Dutch",
        tests="localised signature 'Verstuurd vanaf mijn iPhone' (not 'Sent from my iPhone'); Apple's Dutch "
              "attribution 'Op … heeft kept <…> het volgende geschreven:' (no 'schreef'), QP soft-wrapped; U+FEFF at "
              "the top of the quote",
        reminder=K1, token=T1, expected=expect("done", None, line="done"))

# 30 Gmail, Spanish ---------------------------------------------------------------------------------------
date = "Tue, 01 Dec 2026 09:30:31 +0100"
own = "release el cliente pidi\u00f3 una llamada en vez de la factura"
attr = "El mar, 1 dic 2026 a las 9:00, kept (<kept@host.example>) escribi\u00f3:"
text = "\n".join([own, "", attr, ""] + quote(L1, width=76)) + "\n"
htm = (f'<div dir="ltr">{esc(own)}</div><br>'
       + gmail_quote_html('El mar, 1 dic 2026 a las 9:00, kept (&lt;<a href="mailto:kept@host.example">kept@host.example</a>&gt;) escribi\u00f3:', L1))
B = "0000000000005e2b8d05f8b2f9a7"
hdr = (gmail_transport(date, "4Fm2sW8aHwz9tW5", "g30", RT1)
       + f"""MIME-Version: 1.0
References: {MID1}
In-Reply-To: {MID1}
From: =?UTF-8?Q?Dana_Wei=C3=9F?= <dana@example.org>
Date: Tue, 1 Dec 2026 09:30:31 +0100
Message-ID: <CAE7m2pZf4Vc9Jm6Xr1Ab7Pq4Oe8Wv5Lk0Hn2Dt_eNs9Bz6Ry@mail.gmail.com>
Subject: Re: {SUBJ1}
To: {RT1}
Content-Type: multipart/alternative; boundary="{B}"
""")
body = multipart(B, [
    part('Content-Type: text/plain; charset="UTF-8"\nContent-Transfer-Encoding: quoted-printable', qp(text)),
    part('Content-Type: text/html; charset="UTF-8"\nContent-Transfer-Encoding: quoted-printable', qp(htm)),
])
fixture("30-gmail-es-release.eml", build(hdr, body),
        client="Gmail web, Spanish interface",
        tests="Spanish attribution with the address in parentheses 'kept (<kept@host.example>) escribió:'; "
              "non-ASCII reason (ó)",
        reminder=K1, token=T1,
        expected=expect("release", "el cliente pidi\u00f3 una llamada en vez de la factura", line=own))


# 31–33 UTF-16 text/plain (base64) -------------------------------------------------------------------
# Windows calls UTF-16LE "Unicode" (code page 1200); a mail program set to send "Unicode" writes the plain
# text as UTF-16, with or without a byte order mark. RFC 2781 §4.3: text labelled "utf-16" without a BOM is
# big-endian; "utf-16le" / "utf-16be" never carry one.
NOTE_DE = "\u00dcberweisung gepr\u00fcft \u2014 merci"
own = "done " + NOTE_DE
utf16_text = "\n".join([own, "", "-----Original Message-----"] + block + [""] + L1) + "\n"
utf16_crlf = utf16_text.replace("\n", "\r\n")


def b64_raw(raw):
    return base64.encodebytes(raw).decode("ascii")


UTF16_CASES = [
    ("31-outlook-utf16-bom-done-note.eml", "utf-16", b"\xff\xfe" + utf16_crlf.encode("utf-16-le"),
     "Tue, 01 Dec 2026 09:31:12 +0100", "4Fm2tC3bJxz9tW6", "<000301db43c7$2a4f8e10$7eefaa30$@example.org>",
     "AQHbQ8JeipsgG5/RYGsAAQDBBrZQ6rN1qX3QgAAE3QA=",
     "charset=\"utf-16\" WITH a little-endian byte order mark (FF FE), the whole text/plain in UTF-16LE, base64; "
     "CRLF inside the encoded text; Outlook plain-text shape ('-----Original Message-----' and an unprefixed "
     "From:/Sent:/To:/Subject: block); non-ASCII note (Ü, ü, em dash). A reader that takes the charset as UTF-8 or "
     "Latin-1 sees NUL bytes between the letters"),
    ("32-outlook-utf16-nobom-done-note.eml", "utf-16", utf16_crlf.encode("utf-16-be"),
     "Tue, 01 Dec 2026 09:32:05 +0100", "4Fm2tN8cKyz9tW7", "<000401db43c7$4b7c1d20$e274b760$@example.org>",
     "AQHbQ8JeipsgG5/RYGsAAQDBBrZQ6rN1qX3QgAAF4RA=",
     "charset=\"utf-16\" WITHOUT a byte order mark: RFC 2781 §4.3 says such text is big-endian, and it is (00 64 "
     "00 6F …). A reader that guesses the machine's order (little-endian on x86/ARM, as Python's 'utf-16' codec "
     "does) reads CJK-looking garbage; base64, CRLF inside"),
    ("33-outlook-utf16le-nobom-done-note.eml", "utf-16le", utf16_crlf.encode("utf-16-le"),
     "Tue, 01 Dec 2026 09:32:48 +0100", "4Fm2tX1dLzz9tW8", "<000501db43c7$6d2e4a30$47e9be90$@example.org>",
     "AQHbQ8JeipsgG5/RYGsAAQDBBrZQ6rN1qX3QgAAG5SA=",
     "charset=\"utf-16le\" (byte order in the label, no BOM, as RFC 2781 §3.3 wants), little-endian UTF-16, "
     "base64, CRLF inside"),
]
for name, cs, raw, date, qid, msgid, tindex, tests in UTF16_CASES:
    hdr = (received_mx("mail.example.org", "192.0.2.10", qid, RT1, date, proto="ESMTPSA",
                       extra="\n\t(Authenticated sender: dana)")
           + f"""From: =?utf-8?B?RGFuYSBXZWnDnw==?= <dana@example.org>
To: <{RT1}>
References: {MID1}
In-Reply-To: {MID1}
Subject: RE: {SUBJ1}
Date: {date.replace(", 01 ", ", 1 ")}
Message-ID: {msgid}
MIME-Version: 1.0
Content-Type: text/plain;
\tcharset="{cs}"
Content-Transfer-Encoding: base64
X-Mailer: Microsoft Outlook 16.0
Thread-Index: {tindex}
Content-Language: de
""")
    fixture(name, build(hdr, b64_raw(raw)),
            client="Microsoft Outlook 16.0 (Windows), plain-text compose, outgoing encoding 'Unicode' (UTF-16)",
            tests=tests,
            reminder=K1, token=T1,
            expected=expect("done", NOTE_DE, line=own, effect={"kind": "done", "text": NOTE_DE}))

# 34 Thunderbird, format=flowed, a long note over three lines -------------------------------------------
date = "Tue, 01 Dec 2026 09:33:40 +0100"
own = ("note Called Dana about the corrected invoice: she confirmed the 19% VAT rate is right now, the PDF "
       "goes to accounts@acme.example as well, and she wants the credit note for INV-2026-1142 by Friday.")
pieces = wrap_at(own, 71)
assert len(pieces) == 3, pieces
flowed_own = [p + " " for p in pieces[:-1]] + pieces[-1:]   # soft break: the space stays at the line end
assert "".join(flowed_own) == own
text = "\n".join(flowed_own + ["", "-- ", "Dana Wei\u00df", "", "On 12/1/26 9:00 AM, kept wrote:"]
                 + flowed_quote(L1, width=72)) + "\n"
hdr = (received_mx("mail.example.org", "192.0.2.10", "4Fm2uH5eMaz9tW9", RT1, date, proto="ESMTPSA",
                   extra="\n\t(Authenticated sender: dana)")
       + f"""Message-ID: <2b7e4f1c-9a3d-4c6e-b8f2-5d1a0e7c3b94@example.org>
Date: Tue, 1 Dec 2026 09:33:40 +0100
MIME-Version: 1.0
User-Agent: Mozilla Thunderbird
Subject: Re: {SUBJ1}
To: {RT1}
References: {MID1}
Content-Language: en-US
From: =?UTF-8?Q?Dana_Wei=C3=9F?= <dana@example.org>
In-Reply-To: {MID1}
Content-Type: text/plain; charset=UTF-8; format=flowed
Content-Transfer-Encoding: 8bit
""")
fixture("34-thunderbird-flowed-note.eml", build(hdr, text.encode("utf-8")),
        client="Thunderbird 128 (Linux), plain-text compose, top-posting",
        tests="format=flowed (RFC 3676, DelSp absent = no): the note is ONE paragraph that Thunderbird wrapped "
              "into three lines, the first two ending in a space (soft line break); joined as §4.2 says (the "
              "trailing space stays, nothing is added or dropped) it is the whole note. A reader that stops at the "
              "first physical line stores a third of it. Signature '-- ' (not flowed) between the reply and the "
              "attribution; the quote below is flowed too",
        reminder=K1, token=T1,
        expected=expect("note", own[5:], line=own, effect={"kind": "note", "text": own[5:]}))

# 35 Horde IMP, format=flowed; DelSp=Yes ------------------------------------------------------------------
date = "Tue, 01 Dec 2026 09:35:02 +0100"
own = ("note R\u00fcckruf von Dana: the credit note for INV-2026-1142 goes out on Friday with the monthly run, "
       "and the accounts team at Acme gets a copy of the corrected PDF as well.")
pieces = wrap_at(own, 64)
assert len(pieces) == 3, pieces
delsp_own = [p + "  " for p in pieces[:-1]] + pieces[-1:]   # the word's space, and the one DelSp deletes


def flowed_quote_delsp(lines, width=76):
    """Quoting as Horde writes it with DelSp=Yes: '> ', soft breaks carry the word's space plus one more."""
    out = []
    for line in lines:
        line = line.rstrip(" ")
        if line == "":
            out.append(">")
            continue
        ps = wrap_at(line, width - 2)
        out.extend("> " + p + ("  " if i < len(ps) - 1 else "") for i, p in enumerate(ps))
    return out


text = "\n".join(delsp_own + ["", "Quoting kept <kept@host.example>:", ""] + flowed_quote_delsp(L1, width=70)) + "\n"
body = re.sub(r" =20$", "=20=20", qp(text), flags=re.M)   # Horde encodes both trailing spaces
hdr = (received_mx("webmail.example.org", "192.0.2.12", "4Fm2vQ9fNbz9tWa", RT1, date, proto="ESMTPSA",
                   extra="\n\t(Authenticated sender: dana)")
       + f"""Received: from [198.51.100.23] ([198.51.100.23]) by webmail.example.org
 (Horde Framework) with HTTPS; Tue, 01 Dec 2026 09:35:02 +0100
Date: Tue, 01 Dec 2026 09:35:02 +0100
Message-ID: <20261201093502.Horde.Kq3vT8mZxR2pL7wN9cYb1Hd@webmail.example.org>
From: =?utf-8?b?RGFuYSBXZWnDnw==?= <dana@example.org>
To: {RT1}
Subject: Re: {SUBJ1}
References: {MID1}
In-Reply-To: {MID1}
User-Agent: Internet Messaging Program (IMP) H5 (6.2.3)
Content-Type: text/plain; charset=UTF-8; format=flowed; DelSp=Yes
MIME-Version: 1.0
Content-Disposition: inline
Content-Transfer-Encoding: quoted-printable
""")
fixture("35-horde-flowed-delsp-note.eml", build(hdr, body),
        client="Horde IMP H5 webmail (6.2), plain-text compose",
        tests="format=flowed; DelSp=Yes (RFC 3676 §4.2): each soft-broken line ends in TWO spaces (=20=20 in QP), "
              "the word's own and one the reader must delete, so the joined note has single spaces; a reader "
              "that ignores DelSp stores double spaces, one that ignores flowed stores only the first line. "
              "Horde's English attribution 'Quoting kept <kept@host.example>:'; QP with U+00FC",
        reminder=K1, token=T1,
        expected=expect("note", own[5:], line=own, effect={"kind": "note", "text": own[5:]}))

# 36 iPhone: 'Snooze 2d. ' (auto-capitalised, full stop from the double-space shortcut) -------------------
date = "Tue, 01 Dec 2026 09:36:14 +0100"
own = "Snooze 2d. "
attr = "On Dec 1, 2026, at 9:00\u202fAM, kept <kept@host.example> wrote:"
ql = ["\ufeff" + L1[0]] + L1[1:]
text = "\n".join([own, "", "Sent from my iPhone", ""] + quote([attr, ""] + ql, empty=">")) + "\n"
htm = ('<html><head><meta http-equiv="content-type" content="text/html; charset=utf-8"></head><body dir="auto">'
       'Snooze 2d.&nbsp;<br id="lineBreakAtBeginningOfSignature"><div dir="ltr">Sent from my iPhone</div><div dir="ltr"><br>'
       f'<blockquote type="cite">{esc(attr)}<br><br></blockquote></div><blockquote type="cite"><div dir="ltr">'
       + lines_to_br(ql, sep="<br>") + '</div></blockquote></body></html>')
B = "Apple-Mail-4C8E1A2D-7B3F-4D6A-9E5C-2F1B8D0A6C37"
hdr = (received_mx("mail.example.org", "192.0.2.10", "4Fm2wB3gPcz9tWb", RT1, date, proto="ESMTPSA",
                   extra="\n\t(Authenticated sender: dana)")
       + f"""Content-Type: multipart/alternative; boundary={B}
Content-Transfer-Encoding: 7bit
From: =?utf-8?Q?Dana_Wei=C3=9F?= <dana@example.org>
Mime-Version: 1.0 (1.0)
Date: Tue, 1 Dec 2026 09:36:14 +0100
Subject: Re: {SUBJ1}
Message-Id: <8D2F6B1E-4A7C-4E3B-9C5D-0A3E7F1B2C48@example.org>
References: {MID1}
In-Reply-To: {MID1}
To: {RT1}
X-Mailer: iPhone Mail (22B91)
""")
body = multipart(B, [
    part("Content-Type: text/plain;\n\tcharset=utf-8\nContent-Transfer-Encoding: quoted-printable", qp(text)),
    part("Content-Type: text/html;\n\tcharset=utf-8\nContent-Transfer-Encoding: quoted-printable", qp(htm)),
], epilogue=b"")
fixture("36-iphone-snooze-2d-period.eml", build(hdr, body),
        client="Mail on iOS 18 (iPhone)",
        tests="'Snooze 2d. ': the keyboard capitalised the verb and the double-space shortcut added a full stop and a "
              "space after the duration (=20 at the line end in QP, &nbsp; in HTML). The argument as written is "
              "'2d.'; the snooze is 2 days (the full stop is punctuation, not part of the duration)",
        reminder=K1, token=T1,
        expected=expect("snooze", "2d.", line=own, effect={"kind": "snooze", "duration": "2d", "seconds": 172800}))

# 37 Gmail web: 'snooze 2d!' --------------------------------------------------------------------------------
date = "Tue, 01 Dec 2026 09:37:03 +0100"
attr = "On Tue, Dec 1, 2026 at 9:00\u202fAM kept <kept@host.example> wrote:"
own = "snooze 2d!"
text = "\n".join([own, "", attr, ""] + quote(L1, width=76)) + "\n"
htm = (f'<div dir="ltr">{esc(own)}</div><br>'
       + gmail_quote_html(attr.replace("kept <kept@host.example>", KEPT_A), L1))
B = "0000000000009d4f1a05f8b2fb18"
hdr = (gmail_transport(date, "4Fm2wM7hQdz9tWc", "g37", RT1)
       + f"""MIME-Version: 1.0
References: {MID1}
In-Reply-To: {MID1}
From: =?UTF-8?Q?Dana_Wei=C3=9F?= <dana@example.org>
Date: Tue, 1 Dec 2026 09:37:03 +0100
Message-ID: <CAE7m2pWq3Hx8Lb5Tz0Nc6Yv1Gk9Rf4Jd2Ms7Pe_uAo5Wi1Kt@mail.gmail.com>
Subject: Re: {SUBJ1}
To: {RT1}
Content-Type: multipart/alternative; boundary="{B}"
""")
body = multipart(B, [
    part('Content-Type: text/plain; charset="UTF-8"\nContent-Transfer-Encoding: quoted-printable', qp(text)),
    part('Content-Type: text/html; charset="UTF-8"\nContent-Transfer-Encoding: quoted-printable', qp(htm)),
])
fixture("37-gmail-web-snooze-2d-exclamation.eml", build(hdr, body),
        client="Gmail web (mail.google.com)",
        tests="'snooze 2d!': an exclamation mark glued to the duration. The argument as written is '2d!'; the snooze "
              "is 2 days",
        reminder=K1, token=T1,
        expected=expect("snooze", "2d!", line=own, effect={"kind": "snooze", "duration": "2d", "seconds": 172800}))

# 38 Gmail Android: 'Done!' ---------------------------------------------------------------------------------
date = "Tue, 01 Dec 2026 09:37:51 +0100"
attr = "On Tue, 1 Dec 2026, 09:00 kept, <kept@host.example> wrote:"
own = "Done!"
text = "\n".join([own, "", attr, ""] + quote(L1, width=76)) + "\n"
htm = (f'<div dir="auto">{esc(own)}</div><br>'
       + gmail_quote_html(attr.replace("kept, <kept@host.example>", "kept, " + KEPT_A), L1, android=True))
B = "000000000000b6e3c205f8b2fc29"
hdr = (gmail_transport(date, "4Fm2wX2jRez9tWd", "g38", RT1)
       + f"""MIME-Version: 1.0
References: {MID1}
In-Reply-To: {MID1}
From: =?UTF-8?Q?Dana_Wei=C3=9F?= <dana@example.org>
Date: Tue, 1 Dec 2026 09:37:51 +0100
Message-ID: <CAJp4nW2tY7vRm1Xq5kLz8HcB3eF0uNg9oSa6Di_PqJw4Xr7Ls@mail.gmail.com>
Subject: Re: {SUBJ1}
To: {RT1}
Content-Type: multipart/alternative; boundary="{B}"
""")
body = multipart(B, [
    part('Content-Type: text/plain; charset="UTF-8"\nContent-Transfer-Encoding: quoted-printable', qp(text)),
    part('Content-Type: text/html; charset="UTF-8"\nContent-Transfer-Encoding: quoted-printable', qp(htm)),
])
fixture("38-gmail-android-done-exclamation.eml", build(hdr, body),
        client="Gmail app for Android (Gboard keyboard)",
        tests="'Done!': capitalised verb with an exclamation mark and nothing else; done without a note (the '!' "
              "is not a note)",
        reminder=K1, token=T1,
        expected=expect("done", None, line=own, effect={"kind": "done", "text": None}))

# 39 mutt: a note carrying terminal control sequences -----------------------------------------------------
date = "Tue, 01 Dec 2026 09:38:40 +0100"
ESC = "\x1b"
NOTE_CTL = (ESC + "[2JAcme paid, receipt " + ESC + "]8;;https://evil.example/" + ESC + "\\click" + ESC + "]8;;"
            + ESC + "\\ and invoice_\u202efdp.exe")
own = "note " + NOTE_CTL
text = "\n".join([own, "", "On Tue, Dec 01, 2026 at 09:00:00AM +0100, kept wrote:"] + quote(L1)
                 + ["", "-- ", "Dana"]) + "\n"
hdr = (received_mx("workstation.example.org", "192.0.2.44", "4Fm2xF6kSfz9tWe", RT1, date, proto="ESMTPSA",
                   extra="\n\t(Authenticated sender: dana)")
       + f"""Date: Tue, 1 Dec 2026 09:38:40 +0100
From: Dana <dana@example.org>
To: {RT1}
Subject: Re: {SUBJ1}
Message-ID: <bWt5Zk3qRz8Lp2Xc@workstation.example.org>
References: {MID1}
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Disposition: inline
Content-Transfer-Encoding: quoted-printable
In-Reply-To: {MID1}
User-Agent: Mutt/2.2.13 (2024-03-09)
""")
fixture("39-mutt-note-terminal-escapes.eml", build(hdr, qp(text)),
        client="mutt 2.2 (text pasted from a terminal into the editor)",
        tests="the note holds terminal control sequences: ESC [2J (clear screen), an OSC 8 hyperlink "
              "(ESC ]8;;https://evil.example/ ESC \\ click ESC ]8;; ESC \\) and U+202E RIGHT-TO-LEFT OVERRIDE before "
              "'fdp.exe'. mutt sends text with control bytes as quoted-printable (=1B, =E2=80=AE). kept acts on it "
              "as a note and stores it byte for byte as sent (effect.text); escaping is the display's job, not "
              "storage's",
        reminder=K1, token=T1,
        expected=expect("note", NOTE_CTL, line=own, effect={"kind": "note", "text": NOTE_CTL}))


# --- token locations, manifest ----------------------------------------------------------------------------

def locate(msg, token, where=""):
    """Where the token sits: header names of this message (and of attached messages), and 7bit/8bit body
    parts. Raises if it hides in an encoded body (a byte-level replace would then miss it)."""
    found = []
    for name, value in msg.raw_items():
        n = str(value).count(token)
        found += [where + name] * n
    if msg.get_content_type() == "message/rfc822":
        found += locate(msg.get_payload()[0], token, f"{where}message/rfc822.")
    elif msg.is_multipart():
        for i, sub in enumerate(msg.get_payload()):
            found += locate(sub, token, f"{where}part[{i}].")
    else:
        raw = msg.get_payload(decode=False)
        cte = str(msg.get("Content-Transfer-Encoding", "7bit")).lower()
        n = raw.count(token)
        if n:
            if cte not in ("7bit", "8bit", "binary"):
                raise SystemExit(f"token inside a {cte} body at {where or 'body'}")
            found += [f"{where}body"] * n
        dec = msg.get_payload(decode=True) or b""
        if token.encode() in dec and not n:
            raise SystemExit(f"token only visible after decoding ({cte}) at {where or 'body'}")
    return found


def main():
    import email
    import email.policy
    for f in os.listdir(HERE):
        if f.endswith(".eml"):
            os.remove(os.path.join(HERE, f))
    entries = []
    all_tokens = list(TOKENS) + list(BOGUS_TOKENS)
    for name, data, entry in FIXTURES:
        with open(os.path.join(HERE, name), "wb") as fh:
            fh.write(data)
        msg = email.message_from_bytes(data, policy=email.policy.compat32)
        locations = {}
        for t in all_tokens:
            locs = locate(msg, t)
            raw_count = data.count(t.encode())
            # Received 'for <…>' and folded values are still found by header; check nothing was missed
            assert len(locs) == raw_count, (name, t, locs, raw_count)
            if locs:
                counts = {}
                for l in locs:
                    counts[l] = counts.get(l, 0) + 1
                locations[t] = {"reminder": TOKENS.get(t), "resign": t in TOKENS,
                                "occurrences": raw_count, "in": counts}
        e = {"file": name, "client": entry.pop("client"), "tests": entry.pop("tests"),
             "line_endings": entry.pop("line_endings", "CRLF"),
             "reminder": entry.pop("reminder"), "token": entry.pop("token")}
        e["token_valid"] = entry.pop("token_valid", e["token"] in TOKENS)
        e["tokens"] = locations
        e["expected"] = entry.pop("expected")
        e.update(entry)
        entries.append(e)
    manifest = {
        "about": "Replies to kept reminders as real mail clients produce them. Each fixture: which client, what it "
                 "tests, which reminder it answers, and what kept must do. Generated by make_fixtures.py; checked "
                 "by check.py.",
        "owner": OWNER,
        "kept_from": KEPT_FROM,
        "zone": ZONE,
        "reminders": {
            K1: {"token": T1, "message_id": MID1, "reply_to": RT1, "subject": SUBJ1, "date": SENT,
                 "item": "1.14", "due": "2026-12-01", "window_ends": "2026-12-12T17:00:00+01:00"},
            K2: {"token": T2, "message_id": MID2, "reply_to": RT2, "subject": SUBJ2, "date": SENT,
                 "item": "1.15", "occurrence": 2, "due": "2026-12-02T10:00:00+01:00",
                 "window_ends": "2026-12-12T17:00:00+01:00"},
        },
        "bogus_tokens": BOGUS_TOKENS,
        "resigning": "Replace each token's 16 bytes wherever they occur in the raw file (tokens[T].occurrences says "
                     "how many; tokens[T].in names each header, 'Received' included, and 'part[i].message/rfc822.X' "
                     "for headers of an attached message). No token is inside a QP or base64 body. Tokens with "
                     "resign=false must stay as they are. After a replace that changes the length, a DKIM or ARC "
                     "signature in the file is wrong, as it already is: none of them is real.",
        "expected_fields": {
            "verb": "done|snooze|release|note, or null when no verb is understood or the message is ignored",
            "argument": "the rest of the verb line, trimmed of whitespace including U+00A0, or null",
            "ignored": "true: kept must not act and must not answer (reason says why); false: kept reads it",
            "actions": "how many changes to the store the message causes (0 or 1)",
            "line": "the verb line as found in the reply's own text, before trimming (null when ignored)",
            "outcome": "extra words where actions=0 but ignored=false",
            "effect": "where present: what the store holds afterwards. kind: done|snooze|release|note; text: the done "
                      "note, release reason or note text exactly as stored (its UTF-8 bytes, control characters "
                      "included), or null for done without a note; duration/seconds: a snooze's length (the "
                      "argument may carry punctuation, e.g. '2d.', the duration does not)",
        },
        "decoding": "How the text is read before the verb line is looked for (RFC 2781 §4.3): charset utf-16 with a "
                    "BOM follows the BOM (which is not text), utf-16 without a BOM is big-endian, utf-16le/utf-16be "
                    "are as named. RFC 3676: in format=flowed text a line ending in a space is joined to the next "
                    "(same quote depth); with DelSp=yes that one trailing space is deleted first; '-- ' is never "
                    "flowed; expected.line is the joined line.",
        "fixtures": entries,
    }
    with open(os.path.join(HERE, "manifest.json"), "w", encoding="utf-8") as fh:
        json.dump(manifest, fh, ensure_ascii=True, indent=2)
        fh.write("\n")
    print(f"wrote {len(entries)} fixtures and manifest.json")


if __name__ == "__main__":
    main()
