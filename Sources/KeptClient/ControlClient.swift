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
        do { reply = try JSONDecoder().decode(RPC.Reply<R>.self, from: line) } catch {
            throw .protocolError("keptd sent an answer kept cannot read: \(error)")
        }
        if let error = reply.error { throw .refused(error) }
        guard let result = reply.result else { throw .protocolError("keptd sent neither a result nor an error") }
        return result
    }

    /// Sends one request and returns the reply line.
    public func send<P: Encodable>(_ method: Method, _ params: P) throws(Failure) -> Data {
        let request: Data
        do { request = try JSONEncoder().encode(RPC.Request(id: .number(1), method: method.rawValue, params: params)) } catch {
            throw .protocolError("cannot encode the request: \(error)")
        }
        return try exchange(request + Data([UInt8(ascii: "\n")]))
    }

    /// Writes raw bytes and reads one line back.
    public func exchange(_ bytes: Data) throws(Failure) -> Data {
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
        var reply = Data()
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .protocolError("no answer from keptd: \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            reply.append(contentsOf: chunk[0..<n])
            if chunk[n - 1] == UInt8(ascii: "\n") { break }
        }
        guard let end = reply.firstIndex(of: UInt8(ascii: "\n")) else {
            throw .protocolError("keptd closed the connection without answering")
        }
        return reply[reply.startIndex..<end]
    }
}
