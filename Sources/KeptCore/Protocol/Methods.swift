/// The methods of the control protocol, each declared once: its name on the wire, its parameters
/// and its result, as types.
///
/// Every door into kept — the socket, `kept mail ingest`, a calendar sync — names a method by its
/// type and reaches the same decision: `Methods.ItemDone.decide(engine, params, now:)` is what
/// `kept done` asks the daemon for, and what a reply "done" does.
public protocol KeptMethod: Sendable {
    associatedtype Params: MethodParams
    associatedtype Result: Codable & Sendable
    /// The method's name on the wire, `incident.open`.
    static var name: String { get }
    /// Reads the result straight from bytes, for a result that reads its own JSON; nil for the
    /// others (read through Codable). A witness, not a cast: a process's first dynamic cast to a
    /// protocol looks through every conformance the binary has.
    static var resultReader: (@Sendable (inout JSONReader) throws(JSONReader.Failure) -> Result)? { get }
}

extension KeptMethod {
    public static var resultReader: (@Sendable (inout JSONReader) throws(JSONReader.Failure) -> Result)? { nil }
}

extension KeptMethod where Result: JSONReadable {
    public static var resultReader: (@Sendable (inout JSONReader) throws(JSONReader.Failure) -> Result)? {
        { json throws(JSONReader.Failure) in try Result(reading: &json) }
    }
}

/// A method the Engine decides: from typed parameters to the changes it makes and its answer.
public protocol EngineMethod: KeptMethod {
    /// The Engine's function that decides it (`Engine.open(_:now:)`).
    static var decider: Decider { get }
}

extension EngineMethod {
    public typealias Decider = @Sendable (Engine) -> (Params, Instant) throws(KeptError) -> Decision<Result>

    /// What every door asks: the params checked alone (`validate`), then decided by the Engine
    /// against the store at `now` — the one path, whichever door the request came through.
    public static func decide(_ engine: Engine, _ params: Params, now: Instant) throws(KeptError) -> Decision<Result> {
        try params.validate()
        return try decider(engine)(params, now)
    }
}

/// A method's parameters: decoded from a request, or built by a door; checked before use.
public protocol MethodParams: Codable, Sendable {
    /// What can be said about the parameters alone, without the store or the clock: ranges,
    /// combinations, lengths. The Engine checks it first; the CLI checks it before it calls.
    func validate() throws(KeptError)
    /// The incident or item the request is about, for the journal's fields.
    var target: RequestTarget { get }
    /// Itself, for parameters that write their own JSON; nil for the others (written through
    /// Codable). A witness rather than a cast, as `KeptMethod.resultReader` is.
    var writable: (any JSONWritable)? { get }
    /// The parameters read straight from a request's bytes, for a type with a reader of its own
    /// (see `Params.Promise`); nil for the others, and whenever that reader does not take the
    /// bytes whole. Codable then reads them, and says what is wrong.
    static func readDirectly(_ bytes: ArraySlice<UInt8>) -> Self?
}

extension MethodParams where Self: JSONWritable {
    public var writable: (any JSONWritable)? { self }
}

extension MethodParams {
    public func validate() throws(KeptError) {}
    public var target: RequestTarget { RequestTarget() }
    public var writable: (any JSONWritable)? { nil }
    public static func readDirectly(_ bytes: ArraySlice<UInt8>) -> Self? { nil }
}

/// What a request names: an incident, an item, or neither.
public struct RequestTarget: Sendable {
    public var incident: Int?
    public var item: ItemRef?
    public init(incident: Int? = nil, item: ItemRef? = nil) { self.incident = incident; self.item = item }
}

public enum Methods {
    public enum IncidentOpen: EngineMethod {
        public static let name = "incident.open"
        public typealias Params = KeptCore.Params.Open
        public typealias Result = View.Opened
        public static let decider: Decider = Engine.open(_:now:)
    }

    public enum IncidentList: EngineMethod {
        public static let name = "incident.list"
        public typealias Params = KeptCore.Params.List
        public typealias Result = [View.IncidentSummary]
        public static let decider: Decider = Engine.list(_:now:)
    }

    public enum IncidentShow: EngineMethod {
        public static let name = "incident.show"
        public typealias Params = KeptCore.Params.Incident
        public typealias Result = View.IncidentDetail
        public static let decider: Decider = Engine.show(_:now:)
    }

    public enum IncidentContact: EngineMethod {
        public static let name = "incident.contact"
        public typealias Params = KeptCore.Params.Contact
        public typealias Result = View.Message
        public static let decider: Decider = Engine.contact(_:now:)
    }

    public enum IncidentClose: EngineMethod {
        public static let name = "incident.close"
        public typealias Params = KeptCore.Params.Close
        public typealias Result = View.Closed
        public static let decider: Decider = Engine.close(_:now:)
    }

    public enum PromiseAdd: EngineMethod {
        public static let name = "promise.add"
        public typealias Params = KeptCore.Params.Promise
        public typealias Result = View.Promised
        public static let decider: Decider = Engine.promise(_:now:)
    }

    public enum ItemShow: EngineMethod {
        public static let name = "item.show"
        public typealias Params = KeptCore.Params.OneItem
        public typealias Result = View.Item
        public static let decider: Decider = Engine.showItem(_:now:)
    }

    public enum ItemDone: EngineMethod {
        public static let name = "item.done"
        public typealias Params = KeptCore.Params.Done
        public typealias Result = View.Changed
        public static let decider: Decider = Engine.done(_:now:)
    }

    public enum ItemSnooze: EngineMethod {
        public static let name = "item.snooze"
        public typealias Params = KeptCore.Params.Snooze
        public typealias Result = View.Changed
        public static let decider: Decider = Engine.snooze(_:now:)
    }

    public enum ItemRelease: EngineMethod {
        public static let name = "item.release"
        public typealias Params = KeptCore.Params.Release
        public typealias Result = View.Changed
        public static let decider: Decider = Engine.release(_:now:)
    }

    public enum ItemNote: EngineMethod {
        public static let name = "item.note"
        public typealias Params = KeptCore.Params.Note
        public typealias Result = View.Changed
        public static let decider: Decider = Engine.note(_:now:)
    }

    /// A reply to one of kept's messages, read by a door (`kept mail ingest`, the watched Maildir).
    public enum MailIngest: EngineMethod {
        public static let name = "mail.ingest"
        public typealias Params = Reply
        public typealias Result = View.Ingested
        public static let decider: Decider = Engine.ingest(_:now:)
    }

    public enum ItemDraft: EngineMethod {
        public static let name = "item.draft"
        public typealias Params = KeptCore.Params.Draft
        public typealias Result = View.Draft
        public static let decider: Decider = Engine.draft(_:now:)
    }

    public enum CheckinLog: EngineMethod {
        public static let name = "checkin.log"
        public typealias Params = KeptCore.Params.Checkin
        public typealias Result = View.Message
        public static let decider: Decider = Engine.checkin(_:now:)
    }

    public enum Agenda: EngineMethod {
        public static let name = "agenda"
        public typealias Params = KeptCore.Params.Agenda
        public typealias Result = View.Agenda
        public static let decider: Decider = Engine.agenda(_:now:)
    }

    public enum Ledger: EngineMethod {
        public static let name = "ledger"
        public typealias Params = KeptCore.Params.Ledger
        public typealias Result = View.LedgerReport
        public static let decider: Decider = Engine.ledger(_:now:)
    }

    public enum Export: EngineMethod {
        public static let name = "export"
        public typealias Params = KeptCore.Params.Export
        public typealias Result = View.Export
        public static let decider: Decider = Engine.export(_:now:)
    }

    /// The record at a glance: each incident's dues week by week, the rate, the budget.
    public enum Report: EngineMethod {
        public static let name = "report"
        public typealias Params = KeptCore.Params.Report
        public typealias Result = View.Report
        public static let decider: Decider = Engine.report(_:now:)
    }

    /// Answered by the daemon itself: its version, uptime, store, channels.
    public enum Status: KeptMethod {
        public typealias Params = KeptCore.Params.None
        public typealias Result = View.Status
        public static let name = "status"
    }

    /// Answered by the daemon itself: sync with the CalDAV calendar now, and wait for it.
    public enum CalendarSync: KeptMethod {
        public typealias Params = KeptCore.Params.None
        public typealias Result = View.Synced
        public static let name = "calendar.sync"
    }

    /// Answered by the daemon itself: re-read the configuration.
    public enum Reload: KeptMethod {
        public typealias Params = KeptCore.Params.None
        public typealias Result = View.Message
        public static let name = "reload"
    }

    /// Every method the Engine decides, for the tables built from them (the daemon's router, the fuzzer).
    public static let decided: [any EngineMethod.Type] = [
        IncidentOpen.self, IncidentList.self, IncidentShow.self, IncidentContact.self, IncidentClose.self, PromiseAdd.self,
        ItemShow.self, ItemDone.self, ItemSnooze.self, ItemRelease.self, ItemNote.self, ItemDraft.self, CheckinLog.self, MailIngest.self,
        Agenda.self, Ledger.self, Report.self, Export.self,
    ]
}
