/// Where a store document's top-level members and its incidents lie, found by one pass of
/// `JSONReader` that decodes nothing, so that a large store can be decoded in pieces on several
/// threads. What does not split cleanly (not one object, a name twice, no incidents array) gets
/// nil, and the caller decodes the document whole — which also finds the line and column of
/// what is wrong.
enum JSONSplit {
    struct Store {
        /// Each top-level member's value, by name.
        var members: [String: Range<Int>]
        /// Each element of the `incidents` array.
        var incidents: [Range<Int>]
    }

    static func store(_ bytes: [UInt8]) -> Store? {
        var r = JSONReader(bytes)
        var members: [String: Range<Int>] = [:]
        var incidents: [Range<Int>]?
        var duplicate = false
        do {
            try r.object { m, name throws(JSONReader.Failure) in
                let start = try m.valueStart()
                if name == "incidents", try m.peekByte() == UInt8(ascii: "[") {
                    var elements: [Range<Int>] = []
                    try m.array { e throws(JSONReader.Failure) in
                        let from = try e.valueStart()
                        try e.skip()
                        elements.append(from..<e.offset)
                    }
                    incidents = elements
                } else {
                    try m.skip()
                }
                if members.updateValue(start..<m.offset, forKey: name) != nil { duplicate = true }
            }
            try r.end()
        } catch {
            return nil
        }
        guard !duplicate, let incidents else { return nil }
        return Store(members: members, incidents: incidents)
    }
}
