import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// The store on disk: a JSON document (`store.json`) and an append-only journal of the changes made
/// since it was written (`store.journal`), under an exclusive lock (`store.lock`).
///
/// A change is one line appended to the journal and `fdatasync`ed before it is acknowledged (~0.25 ms),
/// whatever the store's size. When the journal outgrows the document, the document is rewritten the
/// crash-safe way (temp file, fsync, rename, fsync the folder) and the journal starts again. A file that
/// does not parse is never overwritten: opening fails and names the file, line and column.
public final class StoreFile: @unchecked Sendable {
    public let directory: String
    public var documentPath: String { directory + "/store.json" }
    public var journalPath: String { directory + "/store.journal" }
    public var lockPath: String { directory + "/store.lock" }

    private var lockFD: Int32 = -1
    private var journalFD: Int32 = -1
    private(set) public var journalBytes: Int = 0
    private(set) public var documentBytes: Int = 0
    /// Set when a failed write could not be rolled back: further writes are refused.
    private(set) public var broken: String?
    #if DEBUG
    /// For tests of disk faults (debug builds only): make writes fail (with this errno) as if the disk had…
    public var injectFailure: Int32 = 0
    /// …or the fsync after them.
    public var injectSyncFailure: Int32 = 0
    #endif

    init(directory: String) { self.directory = directory }

    deinit {
        if journalFD >= 0 { close(journalFD) }
        if lockFD >= 0 { close(lockFD) }
    }

    /// Opens (or creates) the store in `directory`, returning the state it holds.
    ///
    /// The lock may be held for a moment by something on its way out: a keptd that is still exiting
    /// while its successor starts, or a child forked by this process that has not yet reached `exec`
    /// (it holds a copy of every descriptor until then). So a held lock is retried for up to
    /// `lockWait` before the open is refused.
    public static func open(directory: String, lockWait: Duration = .seconds(2)) throws(StoreError) -> (StoreFile, StoreState) {
        let file = StoreFile(directory: directory)
        let state = try file.load(lockWait: lockWait)
        return (file, state)
    }

    private func load(lockWait: Duration) throws(StoreError) -> StoreState {
        try Self.makeDirectory(directory)
        lockFD = Glibc.open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard lockFD >= 0 else { throw StoreError(.io, "cannot open \(lockPath): \(errnoText())") }
        let clock = ContinuousClock()
        let giveUp = clock.now.advanced(by: lockWait)
        while flock(lockFD, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR else {
                throw StoreError(.io, "cannot lock \(lockPath): \(errnoText())")
            }
            guard clock.now < giveUp else {
                throw StoreError(.locked, "another keptd is already using the store in \(directory)")
            }
            usleep(10_000)
        }

        var state: StoreState
        if let data = try readIfExists(documentPath) {
            state = try Self.decodeDocument(data, path: documentPath)
            documentBytes = data.count
        } else {
            state = StoreState(storeID: Self.randomID())
            try writeDocument(state)
        }

        if let data = try readIfExists(journalPath) {
            let keep = try replay(data, into: &state)
            journalFD = Glibc.open(journalPath, O_WRONLY | O_APPEND | O_CLOEXEC)
            guard journalFD >= 0 else { throw StoreError(.io, "cannot open \(journalPath): \(errnoText())") }
            if keep < data.count {
                // A torn last line: written while the daemon died, never acknowledged.
                guard ftruncate(journalFD, off_t(keep)) == 0, fsync(journalFD) == 0 else {
                    throw StoreError(.io, "cannot trim the torn end of \(journalPath): \(errnoText())")
                }
            }
            journalBytes = keep
        } else {
            journalFD = Glibc.open(journalPath, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
            guard journalFD >= 0 else { throw StoreError(.io, "cannot create \(journalPath): \(errnoText())") }
            try fsyncDirectory()
        }
        return state
    }

    /// The state the store in `directory` holds, read without its lock and without writing
    /// anything (for `kept doctor`, while keptd may be running): the document, then the journal's
    /// whole records. `torn` is how many bytes end the journal unterminated (keptd trims them
    /// at its next start). Nil when there is no store yet.
    public static func inspect(directory: String) throws(StoreError) -> (state: StoreState, torn: Int)? {
        let file = StoreFile(directory: directory)
        guard let document = try file.readIfExists(file.documentPath) else { return nil }
        var state = try decodeDocument(document, path: file.documentPath)
        guard let journal = try file.readIfExists(file.journalPath) else { return (state, 0) }
        let whole = try file.replay(journal, into: &state)
        return (state, journal.count - whole)
    }

    /// Applies the journal's records after the document's; returns how many bytes are whole records.
    private func replay(_ data: Data, into state: inout StoreState) throws(StoreError) -> Int {
        let decoder = JSONDecoder()
        var start = data.startIndex
        var line = 1
        while start < data.endIndex {
            guard let newline = data[start...].firstIndex(of: UInt8(ascii: "\n")) else {
                return start - data.startIndex  // unterminated: torn
            }
            let bytes = data[start..<newline]
            let record: JournalRecord
            do {
                record = try decoder.decode(JournalRecord.self, from: bytes)
            } catch {
                throw StoreError(.corrupt, JSONPosition.describe(error, in: Data(bytes), path: journalPath, firstLine: line))
            }
            if record.seq > state.seq {
                guard record.seq == state.seq + 1 else {
                    throw StoreError(.corrupt, "\(journalPath):\(line):1: record \(record.seq) follows \(state.seq); records are missing")
                }
                state.apply(record)
            }
            start = newline + 1
            line += 1
        }
        return data.count
    }

    static func decodeDocument(_ data: Data, path: String) throws(StoreError) -> StoreState {
        // A large store is decoded in pieces on every processor; any doubt, and it is decoded
        // whole, which also finds the line and column of what is wrong.
        if data.count >= parallelThreshold, let state = decodeInPieces(data) { return state }
        return try decodeWhole(data, path: path)
    }

    /// Stores smaller than this are decoded on one thread.
    static let parallelThreshold = 1 << 20

    static func decodeWhole(_ data: Data, path: String) throws(StoreError) -> StoreState {
        struct Probe: Decodable { var version: Int? }
        let probe: Probe
        do { probe = try JSONDecoder().decode(Probe.self, from: data) } catch {
            throw StoreError(.corrupt, JSONPosition.describe(error, in: data, path: path))
        }
        guard let version = probe.version else {
            throw StoreError(.version, "\(path):1:1: no \"version\" field; this is not a kept store")
        }
        guard version == StoreState.currentVersion else {
            let (line, column) = JSONPosition.lineColumn(ofTopLevelValue: "version", in: [UInt8](data))
            throw StoreError(.version, "\(path):\(line):\(column): store version \(version) is not one this keptd reads (it reads \(StoreState.currentVersion))")
        }
        do { return try JSONDecoder().decode(StoreState.self, from: data) } catch {
            throw StoreError(.corrupt, JSONPosition.describe(error, in: data, path: path))
        }
    }

    /// The incidents split into as many runs as there are processors, each read as an array on
    /// a thread of its own (by `StoreReader`, or JSONDecoder where it gives up), and the rest of
    /// the document decoded with an empty incident list.
    /// Nil when the document does not split cleanly, is not of this version, or a piece fails.
    static func decodeInPieces(_ data: Data, threads: Int = processorsOnline) -> StoreState? {
        let structure = JSONReader([UInt8](data))
        let split: (rest: Data, runs: [[UInt8]])? = data.withUnsafeBytes { raw in
            let b = raw.bindMemory(to: UInt8.self)
            guard let members = structure.memberRanges(), let version = members["version"],
                  String(decoding: b[version], as: UTF8.self) == "\(StoreState.currentVersion)",
                  let incidents = members["incidents"], let objects = structure.objectRanges(in: incidents)
            else { return nil }
            var rest = Data(capacity: b.count - incidents.count + 2)
            rest.append(contentsOf: b[..<incidents.lowerBound])
            rest.append(contentsOf: "[]".utf8)
            rest.append(contentsOf: b[incidents.upperBound...])
            // Runs of neighbouring incidents of about equal size in bytes.
            let count = min(max(threads, 1), max(objects.count, 1))
            var runs: [[UInt8]] = []
            var first = 0
            for n in 1...count where first < objects.count {
                let target = incidents.lowerBound + (incidents.count * n) / count
                var last = first
                while last + 1 < objects.count, objects[last].upperBound < target { last += 1 }
                if n == count { last = objects.count - 1 }
                let body = objects[first].lowerBound..<objects[last].upperBound
                var run: [UInt8] = []
                run.reserveCapacity(body.count + 2)
                run.append(UInt8(ascii: "["))
                run.append(contentsOf: b[body])
                run.append(UInt8(ascii: "]"))
                runs.append(run)
                first = last + 1
            }
            return (rest, runs)
        }
        guard let split else { return nil }
        let results = ResultSlots<[Incident]>(count: split.runs.count)
        let runs = split.runs
        runConcurrently(runs.count) { i in
            results.set(i, StoreReader.incidents(runs[i]) ?? (try? JSONDecoder().decode([Incident].self, from: Data(runs[i]))))
        }
        guard var state = try? JSONDecoder().decode(StoreState.self, from: split.rest) else { return nil }
        for i in 0..<results.count {
            guard let run = results.take(i) else { return nil }
            state.incidents += run
        }
        return state
    }

    // MARK: Writing

    /// Appends records to the journal and makes them durable. On failure nothing is kept of them.
    public func append(_ records: [JournalRecord]) throws(StoreError) {
        if let broken { throw StoreError(.io, broken) }
        var buffer: [UInt8] = []
        var encoder: JSONEncoder?
        for r in records {
            if let line = r.writtenDirectly() {
                buffer.append(contentsOf: line)
            } else {
                let coder = encoder ?? JSONEncoder()
                coder.outputFormatting = [.withoutEscapingSlashes]
                encoder = coder
                do { buffer.append(contentsOf: try coder.encode(r)) } catch {
                    throw StoreError(.io, "cannot encode a change: \(error)")
                }
            }
            buffer.append(UInt8(ascii: "\n"))
        }
        let before = journalBytes
        let ok: Bool = buffer.withUnsafeBytes { raw in
            #if DEBUG
            if injectFailure != 0 { errno = injectFailure; return false }
            #endif
            let failure = writeAll(journalFD, raw)
            if failure != 0 { errno = failure; return false }
            #if DEBUG
            if injectSyncFailure != 0 { errno = injectSyncFailure; return false }
            #endif
            return fdatasync(journalFD) == 0
        }
        if !ok {
            let reason = errnoText()
            // After a failed write or fsync the kernel may have dropped the data: the change did not
            // happen. Cut the journal back to what was acknowledged.
            if ftruncate(journalFD, off_t(before)) != 0 || fdatasync(journalFD) != 0 {
                broken = "the journal \(journalPath) could not be rolled back after a failed write (\(errnoText())); restart keptd"
            }
            throw StoreError(.io, "cannot write \(journalPath): \(reason)")
        }
        journalBytes += buffer.count
    }

    /// True when the journal has grown past the document and should be folded into it.
    public var wantsCompaction: Bool { journalBytes > max(1 << 20, documentBytes) }

    /// Writes `state` as the new document and empties the journal.
    public func compact(_ state: StoreState) throws(StoreError) {
        if let broken { throw StoreError(.io, broken) }
        try writeDocument(state)
        // The document now holds every record; a crash before this truncation only leaves records
        // that replay skips by their sequence number.
        if ftruncate(journalFD, 0) == 0, fdatasync(journalFD) == 0 { journalBytes = 0 }
    }

    private func writeDocument(_ state: StoreState) throws(StoreError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        let data: Data
        do { data = try encoder.encode(state) } catch { throw StoreError(.io, "cannot encode the store: \(error)") }
        let temp = documentPath + ".tmp"
        let fd = Glibc.open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw StoreError(.io, "cannot create \(temp): \(errnoText())") }
        let ok: Bool = data.withUnsafeBytes { raw in
            #if DEBUG
            if injectFailure != 0 { errno = injectFailure; return false }
            #endif
            let failure = writeAll(fd, raw)
            if failure != 0 { errno = failure; return false }
            #if DEBUG
            if injectSyncFailure != 0 { errno = injectSyncFailure; return false }
            #endif
            return fsync(fd) == 0
        }
        let reason = errnoText()
        close(fd)
        guard ok else { unlink(temp); throw StoreError(.io, "cannot write \(temp): \(reason)") }
        guard rename(temp, documentPath) == 0 else {
            let reason = errnoText(); unlink(temp)
            throw StoreError(.io, "cannot replace \(documentPath): \(reason)")
        }
        try fsyncDirectory()
        documentBytes = data.count
    }

    private func fsyncDirectory() throws(StoreError) {
        let failure = syncFolder(directory)
        guard failure == 0 else { throw StoreError(.io, "cannot sync \(directory): \(errnoText(failure))") }
    }

    // MARK: Helpers

    private func readIfExists(_ path: String) throws(StoreError) -> Data? {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw StoreError(.io, "cannot read \(path): \(errnoText())")
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw StoreError(.io, "cannot stat \(path): \(errnoText())") }
        var data = Data(count: Int(st.st_size))
        var total = 0
        let ok: Bool = data.withUnsafeMutableBytes { raw in
            while total < raw.count {
                let n = read(fd, raw.baseAddress! + total, raw.count - total)
                if n < 0 { if errno == EINTR { continue }; return false }
                if n == 0 { break }
                total += n
            }
            return true
        }
        guard ok else { throw StoreError(.io, "cannot read \(path): \(errnoText())") }
        data.count = total
        return data
    }

    /// Creates the state folder (0700) and refuses one that others could write to.
    static func makeDirectory(_ path: String) throws(StoreError) {
        if let (folder, reason) = makeFolders(path) { throw StoreError(.io, "cannot create \(folder): \(reason)") }
        var st = stat()
        guard stat(path, &st) == 0 else { throw StoreError(.io, "cannot stat \(path): \(errnoText())") }
        guard st.st_mode & S_IFMT == S_IFDIR else { throw StoreError(.io, "\(path) is not a folder") }
        if st.st_mode & 0o022 != 0 {
            throw StoreError(.unsafe, "\(path) is writable by others (mode \(String(st.st_mode & 0o777, radix: 8))); run: chmod 700 \(path)")
        }
        if st.st_uid != getuid() {
            throw StoreError(.unsafe, "\(path) belongs to another user (uid \(st.st_uid))")
        }
    }

    static func randomID() -> String {
        var g = SystemRandomNumberGenerator()
        return (0..<2).map { _ in String(g.next() as UInt64, radix: 16).leftPadded(16) }.joined()
    }
}

extension String {
    func leftPadded(_ width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}
