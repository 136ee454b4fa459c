import KeptCore
import Logging

/// Letters into the user's Drafts folder: when a letter item's first reminder goes out (or, after
/// a write that failed, the next time a reminder goes out, at a reload or at start), and when
/// `kept draft ITEM --save` asks. The draft is written first and `drafted` journaled after, so a
/// letter is put there once: the folder is looked at before writing, and once journaled, never
/// again (a draft the user deleted stays deleted).
extension Keeper {
    /// Puts the letters owed into the Drafts folder: after a reminder goes out, at a reload, at
    /// start. One that cannot be written is logged and tried again the next time.
    func putDrafts() {
        for occ in engine.draftsDue(now: now) {
            do throws(KeptError) { _ = try putDraft(occ) } catch {
                logger.error("the letter for \(occ) was not put in the Drafts folder: \(error.message)",
                             metadata: ["KEPT_EVENT": "letter-draft-failed", "KEPT_ITEM": .string(occ.description)])
            }
        }
    }

    /// Writes the letter of `occ` into the Drafts folder (unless it is there) and journals it.
    func putDraft(_ occ: OccurrenceID) throws(KeptError) -> String {
        guard let root = config.letters.drafts else {
            throw .refused("no Drafts folder: set letters.drafts in \(paths.configFile) to the Maildir folder your mail program drafts in")
        }
        let folder = DraftsFolder(root: root, storeID: engine.state.storeID)
        guard let message = engine.letterDraft(for: occ, now: now) else { throw .refused("\(occ) has no letter to draft") }
        var path = root
        if !folder.holds(occ) {
            do { path = try folder.put(message, for: occ, now: now) } catch { throw KeptError(.storage, error.message) }
        }
        guard record([.drafted(occurrence: occ, folder: root)]) else {
            throw KeptError(.storage, "the draft is in \(root), but that it is could not be saved")
        }
        return path
    }

    /// `item.draft`: the draft, and with `save` the letter in the Drafts folder now.
    public func draft(_ p: Params.Draft) throws(KeptError) -> View.Draft {
        let view = try perform { engine, now throws(KeptError) in try Methods.ItemDraft.decide(engine, p, now: now) }
        guard p.save == true else { return view }
        let occ = try engine.occurrence(p.item, now: now)
        var saved = view
        saved.savedTo = try putDraft(occ)
        return saved
    }
}
