import CSystemd
#if canImport(Glibc)
import Glibc
#endif

/// The listening socket systemd passed (`keptd.socket`), if it did.
public enum SocketActivation {
    /// The first passed descriptor (`SD_LISTEN_FDS_START`, 3), when systemd passed exactly the
    /// sockets meant for this process.
    public static func listeningSocket() -> Int32? {
        let count = sd_listen_fds(1)
        guard count >= 1 else { return nil }
        let fd: Int32 = 3
        return sd_is_socket_unix(fd, Int32(SOCK_STREAM.rawValue), 1, nil, 0) > 0 ? fd : nil
    }
}
