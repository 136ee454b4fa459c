/// Plain-text tables for people: columns padded to their widest cell, no borders.
public struct Table {
    public var header: [String]
    public var rows: [[String]] = []

    public init(_ header: String...) { self.header = header }

    public mutating func add(_ cells: String...) { rows.append(cells) }

    public func render(maxWidth: Int = 48) -> String {
        // Each cell clipped and measured once; an agenda can have thousands of rows.
        let all = ([header] + rows).map { $0.map { Self.cell($0, maxWidth) } }
        var widths = [Int](repeating: 0, count: header.count)
        var size = 0
        for row in all {
            for (i, cell) in row.enumerated() {
                if i < widths.count { widths[i] = max(widths[i], cell.width) }
                size += cell.text.utf8.count
            }
        }
        var out = [UInt8]()
        out.reserveCapacity(size + all.count * (widths.reduce(0, +) + 2 * widths.count + 1))
        for (r, row) in all.enumerated() {
            if r > 0 { out.append(UInt8(ascii: "\n")) }
            for (i, cell) in row.enumerated() {
                out.append(contentsOf: cell.text.utf8)
                if i < row.count - 1 {
                    out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: max(0, (i < widths.count ? widths[i] : 0) - cell.width) + 2))
                }
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A cell on one line, clipped to `width` characters, with its width.
    static func cell(_ text: String, _ width: Int) -> (text: String, width: Int) {
        // Plain ASCII (the usual case) is measured by its bytes.
        if text.utf8.count <= width, text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return (text, text.utf8.count) }
        let clipped = clip(text, width)
        return (clipped, clipped.count)
    }

    /// One line, at most `width` characters.
    public static func clip(_ text: String, _ width: Int) -> String {
        let flat = String(text.map { $0.isNewline || $0 == "\t" ? " " : $0 })
        return flat.count <= width ? flat : String(flat.prefix(width - 1)) + "…"
    }
}
