#if canImport(Glibc)
import Glibc
#endif

/// Writes every byte to `fd`, retrying short writes and EINTR; returns 0 or the errno that stopped it.
public func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int32 {
    var offset = 0
    while offset < bytes.count {
        let n = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
        if n < 0 {
            if errno == EINTR { continue }
            return errno
        }
        offset += n
    }
    return 0
}

/// Creates `path` and every missing folder above it with `mode` (`mkdir -p`); a folder that is
/// there already is left as it is. Returns nil, or the folder that could not be made and why.
public func makeFolders(_ path: String, mode: mode_t = 0o700) -> (folder: String, reason: String)? {
    var current = ""
    for part in path.split(separator: "/", omittingEmptySubsequences: true) {
        current += "/" + part
        if mkdir(current, mode) != 0, errno != EEXIST { return (current, errnoText()) }
    }
    return nil
}

/// Makes a folder's entries durable (a file created or renamed into it); returns 0 or the errno.
@discardableResult
public func syncFolder(_ path: String) -> Int32 {
    let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    guard fd >= 0 else { return errno }
    defer { close(fd) }
    return fsync(fd) == 0 ? 0 : errno
}

/// What an errno means, as `strerror` says it.
public func errnoText(_ code: Int32 = errno) -> String { String(cString: strerror(code)) }
