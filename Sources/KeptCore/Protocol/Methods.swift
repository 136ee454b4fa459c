/// The methods of the control protocol and their parameters (DESIGN §4).
///
/// WHEN values are strings in any form the CLI accepts; the `kept` CLI sends them already resolved
/// to a date or an RFC 3339 time, so its own time zone and clock decide.
public enum Method: String, Sendable, CaseIterable {
    case incidentOpen = "incident.open"
    case incidentList = "incident.list"
    case incidentShow = "incident.show"
    case incidentClose = "incident.close"
    case itemDone = "item.done"
    case itemSnooze = "item.snooze"
    case itemRelease = "item.release"
    case itemDraft = "item.draft"
    case promiseAdd = "promise.add"
    case checkinLog = "checkin.log"
    case agenda
    case ledger
    case status
    case reload
    case export
}

public enum Params {
    public struct Open: Codable, Sendable {
        public var client: String
        public var title: String
        public var noticed: String?
        public var severity: Severity?
        public var window: Int?
        public var playbook: Bool?
        public var note: String?
        public init(client: String, title: String, noticed: String? = nil, severity: Severity? = nil, window: Int? = nil,
                    playbook: Bool? = nil, note: String? = nil) {
            self.client = client; self.title = title; self.noticed = noticed; self.severity = severity
            self.window = window; self.playbook = playbook; self.note = note
        }
    }

    public struct List: Codable, Sendable {
        public var all: Bool?
        public var client: String?
        public init(all: Bool? = nil, client: String? = nil) { self.all = all; self.client = client }
    }

    public struct Incident: Codable, Sendable {
        public var incident: Int
        public init(incident: Int) { self.incident = incident }
    }

    public struct Close: Codable, Sendable {
        public var incident: Int
        public var outcome: Outcome
        public var note: String?
        public init(incident: Int, outcome: Outcome, note: String? = nil) { self.incident = incident; self.outcome = outcome; self.note = note }
    }

    public struct Promise: Codable, Sendable {
        public var incident: Int
        public var text: String
        public var due: String?
        public var every: String?
        public var from: String?
        public var until: String?
        public init(incident: Int, text: String, due: String? = nil, every: String? = nil, from: String? = nil, until: String? = nil) {
            self.incident = incident; self.text = text; self.due = due; self.every = every; self.from = from; self.until = until
        }
    }

    public struct Done: Codable, Sendable {
        public var item: String
        public var note: String?
        public var at: String?
        /// For `root-cause`: `systemic` (fix the process) or `judgement` (training).
        public var cause: String?
        public init(item: String, note: String? = nil, at: String? = nil, cause: String? = nil) {
            self.item = item; self.note = note; self.at = at; self.cause = cause
        }
    }

    public struct Snooze: Codable, Sendable {
        public var item: String
        /// A duration from now (`4h`) …
        public var duration: String?
        /// … or a WHEN.
        public var until: String?
        public init(item: String, duration: String? = nil, until: String? = nil) { self.item = item; self.duration = duration; self.until = until }
    }

    public struct Release: Codable, Sendable {
        public var item: String
        public var reason: String
        public init(item: String, reason: String) { self.item = item; self.reason = reason }
    }

    public struct Draft: Codable, Sendable {
        public var item: String
        public init(item: String) { self.item = item }
    }

    public struct Checkin: Codable, Sendable {
        public var incident: Int
        public var note: String?
        public init(incident: Int, note: String? = nil) { self.incident = incident; self.note = note }
    }

    public struct Agenda: Codable, Sendable {
        public var days: Int?
        public init(days: Int? = nil) { self.days = days }
    }

    public struct Ledger: Codable, Sendable {
        public var client: String?
        public init(client: String? = nil) { self.client = client }
    }

    public struct Export: Codable, Sendable {
        public var format: String?
        public init(format: String? = nil) { self.format = format }
    }

    public struct None: Codable, Sendable { public init() {} }
}
