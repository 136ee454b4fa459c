import Glibc

/// The floor of an add made whole, its client half: a static Swift binary that connects to
/// kept-bench floor-serve, sends a request line the size of kept's add, reads the answer line and
/// prints a line, as `kept promise` does.
@main struct FloorClient {
    static func main() {
        guard CommandLine.arguments.count == 2 else { exit(64) }
        let path = Array(CommandLine.arguments[1].utf8)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in for (i, b) in path.enumerated() { raw[i] = b } }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else { exit(69) }
        let request = [UInt8](repeating: UInt8(ascii: "r"), count: 143) + [0x0A]
        guard request.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) == request.count else { exit(74) }
        var buffer = [UInt8](repeating: 0, count: 4096)
        var got = 0
        while got < buffer.count {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress! + got, $0.count - got) }
            if n <= 0 { break }
            got += n
            if buffer[got - 1] == 0x0A { break }
        }
        guard got > 0, buffer[got - 1] == 0x0A else { exit(74) }
        let line = Array("Promised.\n".utf8)
        _ = line.withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
    }
}
