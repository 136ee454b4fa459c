/// An item's address, `INCIDENT.N` (`3.2`).
public struct ItemID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var incident: Int
    public var number: Int
    public init(incident: Int, number: Int) { self.incident = incident; self.number = number }

    public var description: String { "\(incident).\(number)" }
    public static func < (a: ItemID, b: ItemID) -> Bool { (a.incident, a.number) < (b.incident, b.number) }
}

/// What a command names: an item (`3.2`) or one occurrence of it (`3.2#4`).
public struct ItemRef: Hashable, Sendable, CustomStringConvertible {
    public var item: ItemID
    public var occurrence: Int?
    public init(item: ItemID, occurrence: Int? = nil) { self.item = item; self.occurrence = occurrence }

    public init(parsing raw: String) throws(InputError) {
        let fail = InputError("not an item: \"\(raw)\" (items are INCIDENT.N, like 3.2, or 3.2#4 for one occurrence)")
        let parts = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)
        let numbers = parts[0].split(separator: ".", omittingEmptySubsequences: false)
        guard numbers.count == 2, let i = Int(numbers[0]), let n = Int(numbers[1]), i > 0, n > 0 else { throw fail }
        var occurrence: Int?
        if parts.count == 2 {
            guard let o = Int(parts[1]), o > 0 else { throw fail }
            occurrence = o
        }
        self.init(item: ItemID(incident: i, number: n), occurrence: occurrence)
    }

    public var description: String { occurrence.map { "\(item)#\($0)" } ?? item.description }
}

/// One occurrence of an item: `3.2#1`.
public struct OccurrenceID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var item: ItemID
    public var index: Int
    public init(item: ItemID, index: Int) { self.item = item; self.index = index }
    public var description: String { "\(item)#\(index)" }
    public static func < (a: OccurrenceID, b: OccurrenceID) -> Bool { (a.item, a.index) < (b.item, b.index) }
}

extension ItemID: StringCodable {
    public init(codingText text: String) throws(TextNotUnderstood) {
        guard let r = try? ItemRef(parsing: text), r.occurrence == nil else { throw TextNotUnderstood("not an item id: \(text)") }
        self = r.item
    }
}

extension OccurrenceID: StringCodable {
    public init(codingText text: String) throws(TextNotUnderstood) {
        guard let r = try? ItemRef(parsing: text), let o = r.occurrence else { throw TextNotUnderstood("not an occurrence id: \(text)") }
        self.init(item: r.item, index: o)
    }
}

extension ItemRef: StringCodable {
    public init(codingText text: String) throws(TextNotUnderstood) {
        do { try self.init(parsing: text) } catch { throw TextNotUnderstood(error.message) }
    }
}
