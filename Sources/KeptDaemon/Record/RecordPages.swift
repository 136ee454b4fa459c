import KeptCore
import Mustache

/// The record drawn as HTML from Mustache templates, which escape every text the user typed
/// (`{{title}}` is always escaped; nothing here uses the unescaped `{{{…}}}` for a user's words).
///
/// Two kinds of drawing: the page (`kept report --format html`) — one self-contained document with
/// inline CSS and an inline SVG rate line, no scripts, no remote fonts or images, for a screen, a
/// phone and paper; and the mail (the digest's and the review's HTML part) — tables and inline
/// colours only, because mail clients drop SVG, style sheets and classes.
public struct RecordPages: HTMLPainter {
    public init() {}

    public func page(_ report: View.Report) -> String {
        let records = report.records.map { Self.record($0, rate: report.warningRate, perRow: 53) }
        let day = report.records.first?.today.description ?? ""
        return Self.library.render(["records": records, "legend": Self.legend, "day": day, "empty": records.isEmpty,
                                    "warning": View.Record.percent(report.warningRate)], withTemplate: "page") ?? ""
    }

    public func digest(_ d: View.Digest) -> String {
        func lines(_ list: [View.Digest.Line]) -> [[String: Any]] {
            list.map { ["id": $0.id, "text": RecordText.visible($0.text), "due": $0.due, "status": $0.status.label,
                        "colour": $0.status.colour, "ink": $0.status.ink, "symbol": $0.status.symbol] }
        }
        let context: [String: Any] = [
            "heading": d.heading, "records": d.records.map { Self.record($0, rate: d.warningRate, perRow: 8) },
            "legend_rows": Self.legendRows, "last_week": lines(d.lastWeek), "this_week": lines(d.thisWeek),
            "clients": d.clients.map { ["client": RecordText.visible($0.client), "ledger": ReminderComposer.describe($0.ledger)] },
            "closing": d.closing,
            "letters": d.letters.map { ["line": RecordText.visible($0)] }, "letters_count": d.letters.count, "has_letters": !d.letters.isEmpty,
        ]
        return Self.library.render(context, withTemplate: "digest") ?? ""
    }

    public func review(_ record: View.Record, warningRate: Double, text: String) -> String {
        let context: [String: Any] = ["heading": "The review of incident #\(record.incident.id)",
                                      "records": [Self.record(record, rate: warningRate, perRow: 8)],
                                      "legend_rows": Self.legendRows, "text": text]
        return Self.library.render(context, withTemplate: "review") ?? ""
    }

    // MARK: The drawing's facts

    static var legend: [[String: Any]] { OccurrenceStatus.legendOrder.map(cell) + [["legend_today": true]] }

    /// The legend for a mail, three to a row, so that a phone's narrow column does not squeeze it.
    static var legendRows: [[String: Any]] {
        let all = OccurrenceStatus.legendOrder.map(cell)
        return stride(from: 0, to: all.count, by: 3).map { ["entries": Array(all[$0..<min(all.count, $0 + 3)])] }
    }

    static func cell(_ status: OccurrenceStatus) -> [String: Any] {
        ["symbol": status.symbol, "colour": status.colour, "ink": status.ink, "label": status.label]
    }

    /// One record, its weeks' cells in rows of at most `perRow` (a mail's tables cannot wrap).
    static func record(_ r: View.Record, rate: Double, perRow: Int) -> [String: Any] {
        let weeks: [[String: Any]] = r.weeks.map { week in
            let cells: [[String: Any]] = week.cells.map { c in
                var facts = cell(c.status)
                facts["title"] = "\(c.id) \(RecordText.visible(c.text)) — due \(c.due): \(c.status.label)"
                facts["today"] = c.today
                return facts
            }
            let rows = stride(from: 0, to: max(1, cells.count), by: perRow).map {
                ["cells": Array(cells[$0..<min(cells.count, $0 + perRow)])]
            }
            var w: [String: Any] = ["number": week.number, "start": View.Record.shortDate(week.start), "current": week.current,
                                    "rows": rows, "cells": cells]
            if let to = week.rateToDate {
                w["rate"] = View.Record.percent(to)
                w["below"] = to + 1e-9 < rate
                w["bar"] = Int((to * 60).rounded())
            }
            return w
        }
        var facts: [String: Any] = [
            "id": r.incident.id, "client": RecordText.visible(r.incident.client), "title": RecordText.visible(r.incident.title),
            "status_line": r.statusLine, "ledger_line": r.ledgerLine, "budget_line": r.budgetLine(warningRate: rate),
            "weeks": weeks, "chart": chart(r, rate: rate),
        ]
        if let note = r.closedNote { facts["closed_note"] = RecordText.visible(note) }
        if let letters = r.lettersLine { facts["letters_line"] = letters }
        return facts
    }

    /// The rate to date as an SVG polyline over the window's weeks, with the warning rate's line.
    static func chart(_ r: View.Record, rate: Double) -> [String: Any] {
        let width = 640.0, left = 44.0, right = 12.0, top = 10.0, plot = 100.0
        let n = max(1, r.weeks.count - 1)
        func x(_ week: Int) -> Int { Int((left + (width - left - right) * Double(week - 1) / Double(n)).rounded()) }
        func y(_ value: Double) -> Int { Int((top + plot * (1 - value)).rounded()) }
        var points: [[String: Any]] = []
        for week in r.weeks { if let to = week.rateToDate { points.append(["x": x(week.number), "y": y(to)]) } }
        let line = points.map { "\($0["x"]!),\($0["y"]!)" }.joined(separator: " ")
        let ticks: [[String: Any]] = r.weeks.map { ["x": x($0.number), "label": $0.number] }
        return ["line": line, "points": points, "warning_y": y(rate), "top_y": y(1), "bottom_y": y(0),
                "left": Int(left), "right": Int(width - right), "ticks": ticks, "warning": View.Record.percent(rate),
                "width": Int(width), "height": Int(top + plot + 24), "label_y": Int(top + plot + 18), "has_line": !points.isEmpty]
    }

    static let library: MustacheLibrary = {
        var library = MustacheLibrary()
        for (name, text) in [("page", RecordTemplates.page), ("digest", RecordTemplates.digest), ("review", RecordTemplates.review),
                             ("mail-record", RecordTemplates.mailRecord), ("mail-legend", RecordTemplates.mailLegend)] {
            // Built in and tested: a template that does not parse is a defect of kept, found by its tests.
            do { try library.register(text, named: name) } catch { preconditionFailure("built-in template \(name): \(error)") }
        }
        return library
    }()
}
