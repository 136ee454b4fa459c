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

    /// Sends `method` with `params` and decodes the result.
    public func call<P: Encodable, R: Decodable>(_ method: Method, _ params: P, as: R.Type = R.self) throws(Failure) -> R {
        let line = try send(method, params)
        let reply: RPC.Reply<R>
        do { reply = try JSONDecoder().decode(RPC.Reply<R>.self, from: Data(line)) } catch {
            throw .protocolError("keptd sent an answer kept cannot read: \(error)")
        }
        if let error = reply.error { throw .refused(error) }
        guard let result = reply.result else { throw .protocolError("keptd sent neither a result nor an error") }
        return result
    }

    /// The same for an answer that reads itself from the bytes (the agenda, which can be large).
    public func call<P: Encodable, R: JSONReadable>(_ method: Method, _ params: P, as: R.Type = R.self) throws(Failure) -> R {
        try read(try send(method, params), as: R.self)
    }

    /// The same for a request and an answer that write and read themselves (a promise).
    public func call<P: JSONWritable, R: JSONReadable>(_ method: Method, _ params: P, as: R.Type = R.self) throws(Failure) -> R {
        var request = JSONWriter()
        request.request(id: .number(1), method: method.rawValue, params: params)
        return try read(try exchange(request.bytes + [UInt8(ascii: "\n")]), as: R.self)
    }

    private func read<R: JSONReadable>(_ line: [UInt8], as: R.Type) throws(Failure) -> R {
        var json = JSONReader(line)
        let reply: Result<R, RPC.ErrorObject>
        do { reply = try json.reply(R.self) } catch {
            throw .protocolError("keptd sent an answer kept cannot read: \(error)")
        }
        switch reply {
        case .success(let result): return result
        case .failure(let error): throw .refused(error)
        }
    }

    /// Sends one request and returns the reply line.
    public func send<P: Encodable>(_ method: Method, _ params: P) throws(Failure) -> [UInt8] {
        let request: Data
        do { request = try JSONEncoder().encode(RPC.Request(id: .number(1), method: method.rawValue, params: params)) } catch {
            throw .protocolError("cannot encode the request: \(error)")
        }
        return try exchange(Array(request) + [UInt8(ascii: "\n")])
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
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .protocolError("lost keptd while sending: \(String(cString: strerror(errno)))")
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
                throw .protocolError("no answer from keptd: \(String(cString: strerror(errno)))")
            }
            if n == 0 { throw .protocolError("keptd closed the connection without answering") }
            if let newline = memchr(chunk.baseAddress!, 0x0A, n) {
                reply.append(contentsOf: UnsafeRawBufferPointer(start: chunk.baseAddress!, count: newline - chunk.baseAddress!))
                break
            }
            reply.append(contentsOf: UnsafeRawBufferPointer(start: chunk.baseAddress!, count: n))
        }
        return reply
    }
}
