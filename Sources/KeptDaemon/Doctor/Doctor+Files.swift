import Foundation
import KeptCore

/// The files: the config, the store (its folder's mode, the document and journal replayed), the
/// free space where it lives, the draft templates.
extension Doctor {
    func checkFiles() async {
        await checkConfig()
        checkStore()
        checkSpace()
        checkTemplates()
    }

    /// Where the store and config are: where the running keptd says; else, for a unit with a
    /// state folder of systemd's, whichever of its two places holds a store.
    func placeFiles() {
        if let status {
            stateDirectory = String(status.store[..<(status.store.lastIndex(of: "/") ?? status.store.endIndex)])
            configFile = status.config
            return
        }
        let older = (environment["XDG_CONFIG_HOME"] ?? home + "/.config") + "/kept"
        if !(unit?.service["StateDirectory"] ?? "").isEmpty, !FileManager.default.fileExists(atPath: stateDirectory + "/store.json"),
           FileManager.default.fileExists(atPath: older + "/store.json") {
            stateDirectory = older
        }
    }

    private func checkConfig() async {
        let file = configFile
        guard FileManager.default.fileExists(atPath: file) else {
            config = Config()
            ok(.files, "config", "no \(short(file)): the defaults are used (a Maildir in \(short(paths.maildir)))")
            return
        }
        do {
            config = try await ConfigLoader.load(file: file, environment: environment)
            ok(.files, "config", "\(short(file)) is good")
        } catch {
            note(.files, "config", .fail, error.message,
                 fix: "edit \(short(file)) where it says, then: keptd --check-config && systemctl --user reload keptd")
        }
    }

    private func checkStore() {
        let folder = stateDirectory
        var st = stat()
        guard stat(folder, &st) == 0 else {
            ok(.files, "store", "no store yet in \(short(folder)): keptd makes it at its first start")
            return
        }
        let mode = st.st_mode & 0o777
        if mode & 0o077 != 0 {
            let fix = "chmod 700 \(Self.quoted(folder))"
            let fixed = options.fix ? chmod(folder, 0o700) == 0 : nil
            note(.files, "store-folder", fixed == true ? .ok : .fail,
                 "\(short(folder)) is open to others (mode \(String(mode, radix: 8))): the store holds your clients' names and your promises",
                 fix: fix, mendable: true, fixed: fixed)
        }
        for name in ["store.json", "store.journal", "reply.key"] {
            let path = folder + "/" + name
            guard stat(path, &st) == 0, st.st_mode & 0o077 != 0 else { continue }
            let fixed = options.fix ? chmod(path, 0o600) == 0 : nil
            note(.files, "store-file", fixed == true ? .ok : .fail, "\(short(path)) can be read by others (mode \(String(st.st_mode & 0o777, radix: 8)))",
                 fix: "chmod 600 \(Self.quoted(path))", mendable: true, fixed: fixed)
        }
        do throws(StoreError) {
            // Read without the lock: a running keptd may fold its journal in between the two
            // reads, which looks like records missing; read again before saying so.
            var inspected: (state: StoreState, torn: Int)?
            do { inspected = try StoreFile.inspect(directory: folder) } catch { inspected = try StoreFile.inspect(directory: folder) }
            guard let (state, torn) = inspected else {
                ok(.files, "store", "no store yet in \(short(folder)): keptd makes it at its first start")
                return
            }
            store = state
            let open = state.incidents.count { $0.isOpen }
            let tail = torn > 0 ? "; the journal ends in \(torn) bytes of a change never acknowledged, which keptd drops at its next start" : ""
            ok(.files, "store", "the store reads whole: \(state.incidents.count) incident\(state.incidents.count == 1 ? "" : "s") (\(open) open), change \(state.seq)\(tail)")
        } catch {
            note(.files, "store", .fail, "the store does not read: \(error.message)",
                 fix: status == nil ? "keptd will not start on it: mend the file where it says, or restore \(short(folder)) from a backup"
                     : "keptd is running on what it read at its start: do not stop it; kept export > backup.json, then mend the file where it says")
        }
    }

    private func checkSpace() {
        var folder = stateDirectory
        while !FileManager.default.fileExists(atPath: folder), folder.contains("/") {
            folder = String(folder[..<(folder.lastIndex(of: "/") ?? folder.startIndex)])
            if folder.isEmpty { folder = "/" }
        }
        var fs = statvfs()
        guard statvfs(folder, &fs) == 0 else { return }
        let free = Int64(fs.f_bavail) * Int64(fs.f_frsize)
        let mib = free >> 20
        switch mib {
        case ..<64:
            note(.files, "space", .fail, "\(mib) MiB free where the store lives (\(short(folder))): a change that cannot be written is refused",
                 fix: "free some space on that file system")
        case ..<512:
            note(.files, "space", .warn, "\(mib) MiB free where the store lives (\(short(folder)))", fix: "free some space on that file system")
        default:
            ok(.files, "space", "\(mib >= 10_240 ? "\(mib >> 10) GiB" : "\(mib) MiB") free where the store lives")
        }
    }

    private func checkTemplates() {
        let folder = DraftTemplates.folder(beside: configFile)
        guard FileManager.default.fileExists(atPath: folder) else { return }
        do {
            if let templates = try DraftTemplates.load(folder: folder) {
                ok(.files, "templates", "the draft templates parse (\(templates.kinds.map(\.rawValue).sorted().joined(separator: ", ")))")
            } else {
                ok(.files, "templates", "\(short(folder)) holds no templates: the built-in drafts are used")
            }
        } catch {
            note(.files, "templates", .fail, error.message, fix: "mend the template where it says; kept draft ITEM shows the result")
        }
    }
}
