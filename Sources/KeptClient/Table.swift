import KeptCore
#if canImport(Glibc)
import Glibc
#endif

/// Plain-text tables for people: columns padded to their widest cell, no borders.
///
/// Through a pipe, or on a terminal wide enough, every cell is whole. On a narrower terminal
/// the widest columns give way first, each cut with `…`; ids, dates and statuses stay whole. Widths are
/// what a terminal shows: CJK and emoji take two columns, combining marks none.
public struct Table {
    public var header: [String]
    public var rows: [[String]] = []

    public init(_ header: String...) { self.header = header }

    public mutating func add(_ cells: String...) { rows.append(cells) }

    /// The table within `width` columns (nil: as wide as it needs).
    public func render(width: Int? = Terminal.columns) -> String {
        // Each cell flattened and measured once; an agenda can have thousands of rows.
        var all = ([header] + rows).map { $0.map(Self.measure) }
        let count = header.count
        var widths = [Int](repeating: 0, count: count)
        for row in all { for (i, cell) in row.enumerated() where i < count { widths[i] = max(widths[i], cell.width) } }
        if let width {
            let limits = Self.fit(widths, into: width)
            if limits != widths {
                for r in all.indices {
                    for i in all[r].indices where i < count && all[r][i].width > limits[i] {
                        all[r][i] = Self.clip(all[r][i].text, limits[i])
                    }
                }
                widths = limits
            }
        }
        var out = [UInt8]()
        for (r, row) in all.enumerated() {
            if r > 0 { out.append(UInt8(ascii: "\n")) }
            // No padding after the last cell that says something: no line ends in spaces.
            let last = row.lastIndex { !$0.text.isEmpty } ?? 0
            for (i, cell) in row.enumerated() where i <= last {
                out.append(contentsOf: cell.text.utf8)
                if i < last {
                    out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: max(0, (i < count ? widths[i] : 0) - cell.width) + 2))
                }
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Column widths that fit `width` with two spaces between columns: the widest columns are
    /// narrowed first, together; what does not fit even so runs past the edge.
    static func fit(_ natural: [Int], into width: Int, keep: Int = 16) -> [Int] {
        var widths = natural
        // A column no wider than `keep` (an id, a date, a status) is never cut.
        let floors = natural.map { min($0, keep) }
        let gaps = 2 * max(0, widths.count - 1)
        while case let excess = widths.reduce(0, +) + gaps - width, excess > 0 {
            guard let i = widths.indices.filter({ widths[$0] > floors[$0] }).max(by: { widths[$0] < widths[$1] }) else { break }
            // Down to the next widest column at most, so the wide ones give way together.
            let next = widths.indices.filter { $0 != i && widths[$0] > floors[$0] }.map { widths[$0] }.max() ?? 0
            widths[i] = max(floors[i], widths[i] - excess, min(next, widths[i] - 1))
        }
        return widths
    }

    /// A cell on one line, with the columns it takes.
    static func measure(_ text: String) -> (text: String, width: Int) {
        // Plain ASCII (the usual case) is measured by its bytes.
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return (text, text.utf8.count) }
        let flat = TerminalText.escaped(String(text.map { $0.isNewline || $0 == "\t" ? " " : $0 }))
        return (flat, Terminal.width(flat))
    }

    /// At most `width` columns of `text`, cut with `…`.
    static func clip(_ text: String, _ width: Int) -> (text: String, width: Int) {
        var out = "", used = 0
        for c in text {
            let w = Terminal.width(c)
            if used + w > width - 1 { break }
            out.append(c)
            used += w
        }
        return (out + "…", used + 1)
    }
}

/// What the terminal kept writes to can show.
public enum Terminal {
    /// The columns of the terminal on standard output; nil through a pipe or into a file, where
    /// nothing is cut.
    public static let columns: Int? = {
        guard isatty(1) == 1 else { return nil }
        var size = winsize()
        if ioctl(1, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        if let text = getenv("COLUMNS"), let n = Int(String(cString: text)), n > 0 { return n }
        return 80
    }()

    /// The locale's characters are UTF-8 (`LC_ALL`, else `LC_CTYPE`, else `LANG`, as the C library
    /// reads them); in the C or POSIX locale, or unset, kept draws with ASCII.
    public static let utf8: Bool = {
        for name in ["LC_ALL", "LC_CTYPE", "LANG"] {
            guard let value = getenv(name).map({ String(cString: $0) }), !value.isEmpty else { continue }
            let lower = value.lowercased()
            return lower.contains("utf-8") || lower.contains("utf8")
        }
        return false
    }()

    /// Colour on standard output: a terminal, not `TERM=dumb`, and no `NO_COLOR`.
    public static let colour: Bool = {
        guard isatty(1) == 1 else { return false }
        if let n = getenv("NO_COLOR"), n.pointee != 0 { return false }
        if let t = getenv("TERM"), String(cString: t) == "dumb" { return false }
        return true
    }()

    /// The columns a character takes: two for wide (CJK, fullwidth) and emoji, none for a
    /// combining mark alone, one otherwise.
    public static func width(_ c: Character) -> Int {
        guard let first = c.unicodeScalars.first else { return 0 }
        if c.unicodeScalars.contains(where: { $0.properties.isEmojiPresentation }) { return 2 }
        switch first.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format: return 0
        default: break
        }
        switch first.value {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
             0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6,
             0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x3FFFD:
            return 2
        default:
            return 1
        }
    }

    public static func width(_ text: String) -> Int { text.reduce(0) { $0 + width($1) } }
}
