/// The record's HTML, as Mustache templates. `{{…}}` escapes; the user's words only ever go
/// through it. Colours, sizes and numbers are kept's own.
enum RecordTemplates {
    /// The page: one document, inline CSS and SVG, no scripts, nothing fetched.
    static let page = #"""
    <!DOCTYPE html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <meta name="color-scheme" content="light">
    <title>kept — the record{{#day}} of {{day}}{{/day}}</title>
    <style>
    *{box-sizing:border-box}
    body{margin:0;padding:24px;background:#ffffff;color:#1f2328;font:15px/1.45 "DejaVu Sans",system-ui,-apple-system,"Segoe UI",sans-serif}
    main{max-width:980px;margin:0 auto}
    header h1{font-size:22px;margin:0}
    header p{margin:2px 0 16px;color:#57606a}
    section{border-top:1px solid #e4e8ec;padding:16px 0 20px}
    h2{font-size:18px;margin:0;overflow-wrap:anywhere;unicode-bidi:plaintext}
    .status{margin:2px 0 12px;color:#57606a}
    .weeks{display:grid;grid-template-columns:auto auto minmax(0,1fr) auto;gap:4px 10px;align-items:center;max-width:760px}
    .wk,.from{color:#57606a;font-size:13px;white-space:nowrap}
    .now{color:#1f2328;font-weight:bold}
    .cells{display:flex;flex-wrap:wrap;gap:3px;min-height:20px}
    .cell{display:inline-block;width:20px;height:20px;line-height:20px;text-align:center;font-size:12px;border-radius:3px}
    .today{outline:2px solid #0550ae;outline-offset:1px}
    .rate{font-size:13px;text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
    .below{color:#a40e26;font-weight:bold}
    .sums{margin:12px 0 0}
    .sums p{margin:2px 0}
    .note{color:#57606a;overflow-wrap:anywhere;unicode-bidi:plaintext}
    svg{display:block;width:100%;max-width:640px;height:auto;margin:12px 0 0}
    .legend{display:flex;flex-wrap:wrap;gap:6px 16px;margin:16px 0 0;padding:0;list-style:none;color:#57606a;font-size:13px}
    .legend li{display:flex;align-items:center;gap:6px}
    .ring{display:inline-block;width:16px;height:16px;border-radius:3px;outline:2px solid #0550ae;outline-offset:1px}
    @media (max-width:600px){body{padding:12px}.weeks{gap:4px 6px}h2{font-size:16px}}
    @media print{body{padding:0}section{break-inside:avoid}*{-webkit-print-color-adjust:exact;print-color-adjust:exact}}
    </style>
    </head>
    <body>
    <main>
    <header>
    <h1>Follow-through</h1>
    <p>What was due, week by week, and how it went{{#day}} — as of {{day}}{{/day}}. The warning rate is {{warning}}.</p>
    </header>
    {{#empty}}<p>No open incidents: nothing to report.</p>{{/empty}}
    {{#records}}
    <section>
    <h2><bdi>#{{id}} {{client}}: {{title}}</bdi></h2>
    <p class="status">{{status_line}}</p>
    <div class="weeks" role="table" aria-label="dues week by week">
    {{#weeks}}
    <div class="wk{{#current}} now{{/current}}" role="cell">{{#current}}▸ {{/current}}week {{number}}</div>
    <div class="from{{#current}} now{{/current}}" role="cell">{{start}}</div>
    <div class="cells" role="cell">{{#cells}}<span class="cell{{#today}} today{{/today}}" style="background:{{colour}};color:{{ink}}" title="{{title}}" aria-label="{{title}}">{{symbol}}</span>{{/cells}}</div>
    <div class="rate{{#below}} below{{/below}}" role="cell">{{#rate}}{{rate}}{{/rate}}</div>
    {{/weeks}}
    </div>
    {{#chart}}{{#has_line}}
    <svg viewBox="0 0 {{width}} {{height}}" role="img" aria-label="follow-through to date, week by week, against the warning rate of {{warning}}">
    <line x1="{{left}}" y1="{{top_y}}" x2="{{right}}" y2="{{top_y}}" stroke="#eaeef2"/>
    <line x1="{{left}}" y1="{{bottom_y}}" x2="{{right}}" y2="{{bottom_y}}" stroke="#afb8c1"/>
    <line x1="{{left}}" y1="{{warning_y}}" x2="{{right}}" y2="{{warning_y}}" stroke="#8c959f" stroke-dasharray="5 4"/>
    <text x="{{left}}" y="{{top_y}}" dx="-6" dy="4" text-anchor="end" font-size="11" fill="#57606a">100%</text>
    <text x="{{left}}" y="{{warning_y}}" dx="-6" dy="4" text-anchor="end" font-size="11" fill="#57606a">{{warning}}</text>
    <text x="{{left}}" y="{{bottom_y}}" dx="-6" dy="4" text-anchor="end" font-size="11" fill="#57606a">0%</text>
    {{#ticks}}<text x="{{x}}" y="{{label_y}}" text-anchor="middle" font-size="10" fill="#8c959f">{{label}}</text>{{/ticks}}
    <polyline points="{{line}}" fill="none" stroke="#0550ae" stroke-width="2.5" stroke-linejoin="round"/>
    {{#points}}<circle cx="{{x}}" cy="{{y}}" r="3.5" fill="#0550ae"/>{{/points}}
    </svg>
    {{/has_line}}{{/chart}}
    <div class="sums">
    <p>{{ledger_line}}</p>
    {{#letters_line}}<p>{{letters_line}}</p>{{/letters_line}}
    <p><strong>{{budget_line}}</strong></p>
    {{#closed_note}}<p class="note">{{closed_note}}</p>{{/closed_note}}
    </div>
    </section>
    {{/records}}
    <ul class="legend">
    {{#legend}}{{^legend_today}}<li><span class="cell" style="background:{{colour}};color:{{ink}}">{{symbol}}</span>{{label}}</li>{{/legend_today}}{{#legend_today}}<li><span class="ring"></span>due today</li>{{/legend_today}}{{/legend}}
    <li>▸ this week</li>
    </ul>
    </main>
    </body>
    </html>

    """#

    /// One record in a mail: nested tables, every style inline.
    static let mailRecord = #"""
    <h2 style="font-size:16px;margin:22px 0 2px;color:#1f2328"><bdi>#{{id}} {{client}}: {{title}}</bdi></h2>
    <p style="margin:0 0 8px;color:#57606a;font-size:13px">{{status_line}}</p>
    <table role="presentation" cellpadding="0" cellspacing="0" border="0" style="border-collapse:collapse">
    {{#weeks}}
    <tr>
    <td valign="top" style="padding:2px 8px 2px 0;font-size:13px;color:#57606a;white-space:nowrap">{{#current}}<b style="color:#1f2328">▸ </b>{{/current}}week {{number}}</td>
    <td valign="top" style="padding:2px 8px 2px 0;font-size:13px;color:#57606a;white-space:nowrap">{{start}}</td>
    <td valign="top" style="padding:2px 8px 2px 0">{{#rows}}<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="border-collapse:separate;border-spacing:2px"><tr>{{#cells}}<td width="18" height="18" align="center" title="{{title}}" style="width:18px;min-width:18px;height:18px;background:{{colour}};color:{{ink}};font-size:12px;line-height:18px;font-family:Arial,sans-serif;{{#today}}outline:2px solid #0550ae;{{/today}}">{{symbol}}</td>{{/cells}}</tr></table>{{/rows}}</td>
    <td valign="top" align="right" style="padding:2px 0;font-size:13px;white-space:nowrap;{{#below}}color:#a40e26;font-weight:bold;{{/below}}">{{#rate}}{{rate}}{{/rate}}</td>
    </tr>
    {{/weeks}}
    </table>
    <p style="margin:8px 0 0;font-size:14px">{{ledger_line}}</p>
    {{#letters_line}}<p style="margin:4px 0 0;font-size:14px">{{letters_line}}</p>{{/letters_line}}
    <p style="margin:2px 0 0;font-size:14px"><b>{{budget_line}}</b></p>
    """#

    static let mailLegend = #"""
    <table role="presentation" cellpadding="0" cellspacing="0" border="0" style="margin:16px 0 0;font-size:12px;color:#57606a">
    {{#legend_rows}}<tr>{{#entries}}<td width="16" height="16" align="center" style="width:16px;min-width:16px;height:16px;background:{{colour}};color:{{ink}};font-size:11px">{{symbol}}</td><td style="padding:2px 14px 2px 5px;white-space:nowrap">{{label}}</td>{{/entries}}</tr>{{/legend_rows}}
    </table>
    """#

    /// The weekly digest's HTML part: everything its text says.
    static let digest = #"""
    <!DOCTYPE html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>{{heading}}</title>
    </head>
    <body style="margin:0;padding:16px;background:#ffffff;color:#1f2328;font-family:Arial,Helvetica,sans-serif;font-size:14px;line-height:1.4">
    <h1 style="font-size:20px;margin:0 0 4px">{{heading}}</h1>
    {{#records}}{{> mail-record}}{{/records}}
    {{> mail-legend}}
    <h2 style="font-size:16px;margin:24px 0 6px">Last week</h2>
    {{^last_week}}<p style="margin:0;color:#57606a">Nothing fell due.</p>{{/last_week}}
    <table role="presentation" cellpadding="0" cellspacing="0" border="0" style="border-collapse:collapse;font-size:13px">
    {{#last_week}}<tr><td style="padding:2px 8px 2px 0;white-space:nowrap">{{id}}</td><td style="padding:2px 8px 2px 0">{{text}}</td><td style="padding:2px 8px 2px 0;color:#57606a">{{due}}</td><td style="padding:2px 0;white-space:nowrap">{{symbol}} {{status}}</td></tr>{{/last_week}}
    </table>
    {{#has_letters}}<h2 style="font-size:16px;margin:24px 0 6px">Letters you sent last week ({{letters_count}})</h2>
    <table role="presentation" cellpadding="0" cellspacing="0" border="0" style="border-collapse:collapse;font-size:13px">
    {{#letters}}<tr><td style="padding:2px 0">{{line}}</td></tr>{{/letters}}
    </table>{{/has_letters}}
    <h2 style="font-size:16px;margin:24px 0 6px">This week</h2>
    {{^this_week}}<p style="margin:0;color:#57606a">Nothing falls due.</p>{{/this_week}}
    <table role="presentation" cellpadding="0" cellspacing="0" border="0" style="border-collapse:collapse;font-size:13px">
    {{#this_week}}<tr><td style="padding:2px 8px 2px 0;white-space:nowrap">{{id}}</td><td style="padding:2px 8px 2px 0">{{text}}</td><td style="padding:2px 8px 2px 0;color:#57606a">{{due}}</td><td style="padding:2px 0">{{status}}</td></tr>{{/this_week}}
    </table>
    <h2 style="font-size:16px;margin:24px 0 6px">Ledger by client</h2>
    <table role="presentation" cellpadding="0" cellspacing="0" border="0" style="border-collapse:collapse;font-size:13px">
    {{#clients}}<tr><td style="padding:2px 8px 2px 0;white-space:nowrap"><b>{{client}}</b></td><td style="padding:2px 0">{{ledger}}</td></tr>{{/clients}}
    </table>
    <p style="margin:20px 0 0;color:#57606a;font-size:13px">{{closing}}</p>
    </body>
    </html>

    """#

    /// The review reminder's HTML part: the record, then the reminder word for word.
    static let review = #"""
    <!DOCTYPE html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>{{heading}}</title>
    </head>
    <body style="margin:0;padding:16px;background:#ffffff;color:#1f2328;font-family:Arial,Helvetica,sans-serif;font-size:14px;line-height:1.4">
    <h1 style="font-size:20px;margin:0 0 4px">{{heading}}</h1>
    {{#records}}{{> mail-record}}{{/records}}
    {{> mail-legend}}
    <pre style="margin:24px 0 0;padding:12px 0 0;border-top:1px solid #e4e8ec;white-space:pre-wrap;word-wrap:break-word;font-family:Menlo,Consolas,'DejaVu Sans Mono',monospace;font-size:13px">{{text}}</pre>
    </body>
    </html>

    """#
}
