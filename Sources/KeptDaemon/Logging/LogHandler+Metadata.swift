import Logging

extension LogHandler {
    /// The handler's metadata, then its provider's, then the entry's own — later ones win.
    func merged(_ extra: Logger.Metadata?) -> Logger.Metadata {
        var all = metadata
        if let provided = metadataProvider?.get() { all.merge(provided) { _, new in new } }
        if let extra { all.merge(extra) { _, new in new } }
        return all
    }
}
