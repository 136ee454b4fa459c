import FoundationEssentials
import KeptCore
#if canImport(Glibc)
import Glibc
#endif

/// A blocking client of the control socket: one connection, one request line, one reply line.
///
/// Plain POSIX calls keep `kept` quick to start; it needs nothing more than a write and a read.
public struct ControlClient: Sendable {
    public var socketPath: String
    public var timeoutSeconds: Int

    public init(socketPath: String, timeoutSeconds: Int = 30) {
        self.socketPath = socketPath
        self.timeoutSeconds = timeoutSeconds
    }

    public enum Failure: Error, Sendable, CustomStringConvertible {
        /// No daemon answers on the socket.
        case unreachable(String)
        /// The daemon answered with a JSON-RPC error.
        case refused(RPC.ErrorObject)
        /// The answer could not be read.
        case protocolError(String)

        public var description: String {
            switch self {
            case .unreachable(let m), .protocolError(let m): m
            case .refused(let e): e.message
            }
        }
    }

    /// Calls `method` with `params` and reads its result. Params and results that write and read
    /// their own JSON (the promise, the agenda: `JSONWritable`, `JSONReadable`) go straight
    /// to and from bytes; everything else through Codable.
    public func call<M: KeptMethod>(_ method: M.Type, _ params: M.Params) throws(Failure) -> M.Result {
        let line = try exchange(try request(M.name, params))
        if let reader = M.resultReader { return try read(line, with: reader) }
        let reply: RPC.Reply<M.Result>
        do { reply = try JSONDecoder().decode(RPC.Reply<M.Result>.self, from: Data(line)) } catch {
            throw .protocolError("keptd sent an answer kept cannot read: \(error)")
        }
        if let error = reply.error { throw .refused(error) }
        guard let result = reply.result else { throw .protocolError("keptd sent neither a result nor an error") }
        return result
    }

    private func read<R>(_ line: [UInt8], with reader: (inout JSONReader) throws(JSONReader.Failure) -> R) throws(Failure) -> R {
        var json = JSONReader(line)
        let reply: Result<R, RPC.ErrorObject>
        do { reply = try json.reply(reading: reader) } catch {
            throw .protocolError("keptd sent an answer kept cannot read: \(error)")
        }
        switch reply {
        case .success(let result): return result
        case .failure(let error): throw .refused(error)
        }
    }

    /// A request line for `method`.
    private func request<P: MethodParams>(_ method: String, _ params: P) throws(Failure) -> [UInt8] {
        if let writable = params.writable {
            var request = JSONWriter()
            request.request(id: .number(1), method: method, params: writable)
            return request.bytes + [UInt8(ascii: "\n")]
        }
        do { return Array(try JSONEncoder().encode(RPC.Request(id: .number(1), method: method, params: params))) + [UInt8(ascii: "\n")] } catch {
            throw .protocolError("cannot encode the request: \(error)")
        }
    }

    /// Writes raw bytes and reads one line back (without its newline).
    public func exchange(_ bytes: [UInt8]) throws(Failure) -> [UInt8] {
        let fd: Int32
        switch UnixSocket.connect(to: socketPath) {
        case .success(let connected): fd = connected
        case .failure(let error): throw .unreachable("cannot reach keptd at \(socketPath) (\(error))")
        }
        defer { close(fd) }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))

        var sent = 0
        var lost: String?
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
            if n < 0 {
                if errno == EINTR { continue }
                // The daemon may have answered and closed before taking it all (a refusal): read on.
                lost = "lost keptd while sending: \(errnoText())"
                break
            }
            sent += n
        }
        // Up to the newline that ends the answer; it can be megabytes (an agenda of thousands).
        var reply = [UInt8]()
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 65536, alignment: 1)
        defer { chunk.deallocate() }
        while true {
            let n = recv(fd, chunk.baseAddress!, chunk.count, 0)
            if n < 0 {
                if errno == EINTR { continue }
                throw .protocolError(lost ?? "no answer from keptd: \(errnoText())")
            }
            if n == 0 { throw .protocolError(lost ?? "keptd closed the connection without answering") }
            if let newline = memchr(chunk.baseAddress!, 0x0A, n) {
                reply.append(contentsOf: UnsafeRawBufferPointer(start: chunk.baseAddress!, count: newline - chunk.baseAddress!))
                break
            }
            reply.append(contentsOf: UnsafeRawBufferPointer(start: chunk.baseAddress!, count: n))
        }
        return reply
    }
}
