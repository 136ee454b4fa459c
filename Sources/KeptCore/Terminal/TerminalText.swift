/// Text from outside — a client's name, a note sent by mail, a server's error — made safe to show
/// on a terminal. What the terminal would act on instead of showing is shown: a control as `^[`
/// (the way `cat -v` does), a C1 control or a direction override or isolate as `<U+202E>`. Line
/// breaks and tabs stay. The stored text is never changed; only what is printed.
public enum TerminalText {
    public static func escaped(_ text: String) -> String {
        // The usual case, printable ASCII and line breaks, as it is.
        if text.utf8.allSatisfy({ ($0 >= 0x20 && $0 < 0x7F) || $0 == 0x0A || $0 == 0x09 }) { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            let v = scalar.value
            switch v {
            case 0x0A, 0x09:
                out.append(scalar)
            case 0..<0x20:
                out.append("^")
                out.append(Unicode.Scalar(UInt8(v + 0x40)))
            case 0x7F:
                out.append(contentsOf: "^?".unicodeScalars)
            case 0x80...0x9F, 0x202A...0x202E, 0x2066...0x2069, 0x200E, 0x200F, 0x061C:
                out.append(contentsOf: "<U+\(hex(v))>".unicodeScalars)
            default:
                out.append(scalar)
            }
        }
        return String(out)
    }

    /// Whether printing `scalar` would act on a terminal, or turn the text around it.
    public static func isHidden(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        return v < 0x20 || (0x7F...0x9F).contains(v) || (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v)
            || v == 0x200E || v == 0x200F || v == 0x061C
    }

    static func hex(_ v: UInt32) -> String {
        let digits = String(v, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
