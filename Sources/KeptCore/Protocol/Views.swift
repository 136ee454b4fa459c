/// What the daemon answers: plain data the CLI prints as tables or passes through as `--json`.
public enum View {
    public struct Occurrence: Codable, Sendable, Equatable {
        /// `3.2#1`
        public var id: String
        public var item: String
        public var incident: Int
        public var client: String
        public var kind: KeptCore.Item.Kind
        public var step: PlaybookStep?
        public var text: String
        /// A date (`2026-12-05`) or an RFC 3339 time.
        public var due: String
        public var status: OccurrenceStatus
        public var done: Instant?
        public var note: String?
        public var released: String?
        public var snoozedUntil: Instant?
        public var recurring: Bool
    }

    public struct Item: Codable, Sendable, Equatable {
        public var id: String
        public var kind: KeptCore.Item.Kind
        public var step: PlaybookStep?
        public var text: String
        public var due: String
        public var every: String?
        public var until: String?
        /// The zone its times are local to (a 09:00 promise stays at 09:00 there).
        public var zone: String?
        public var occurrences: [Occurrence]
    }

    public struct Ledger: Codable, Sendable, Equatable {
        public var due: Int = 0
        public var kept: Int = 0
        public var late: Int = 0
        public var missed: Int = 0
        public var released: Int = 0
        /// kept / (kept + late + missed); nil while nothing has been judged.
        public var rate: Double?
        public init() {}

        /// Counts an occurrence that has fallen due or been settled; upcoming ones are not counted.
        /// One released before it was ever due counts as released, not as due.
        public mutating func count(_ status: Rules.Status, wasDue: Bool = true) { count(status.name, wasDue: wasDue) }

        public mutating func count(_ status: OccurrenceStatus, wasDue: Bool = true) {
            switch status {
            case .upcoming: return
            case .kept: kept += 1
            case .late: late += 1
            case .missed: missed += 1
            case .released:
                released += 1
                if !wasDue { return }
            case .overdue: break
            }
            due += 1
            let judged = kept + late + missed
            rate = judged == 0 ? nil : Double(kept) / Double(judged)
        }

        public static func + (a: Ledger, b: Ledger) -> Ledger {
            var r = Ledger()
            r.due = a.due + b.due; r.kept = a.kept + b.kept; r.late = a.late + b.late
            r.missed = a.missed + b.missed; r.released = a.released + b.released
            let judged = r.kept + r.late + r.missed
            r.rate = judged == 0 ? nil : Double(r.kept) / Double(judged)
            return r
        }
    }

    public struct IncidentSummary: Codable, Sendable, Equatable {
        public var id: Int
        public var client: String
        public var title: String
        public var severity: Severity
        public var status: IncidentStatus
        public var outcome: Outcome?
        public var noticed: Instant
        public var windowEnd: Instant
        public var windowDays: Int
        /// Day of the window, 1-based; capped at `windowDays`.
        public var day: Int
        public var open: Int
        public var overdue: Int
        public var next: Occurrence?
        public var ledger: Ledger
    }

    public struct IncidentDetail: Codable, Sendable, Equatable {
        public var incident: IncidentSummary
        public var note: String?
        public var items: [Item]
        public var timeline: [Event]
        /// Who letters go to, and are copied to.
        public var to: [String]?
        public var cc: [String]?
        /// With replies on: the address to Bcc a letter to, for the incident and each letter item.
        public var letters: [LetterAddress]?
    }

    /// Where a letter is Bcc'd for kept to see it go.
    public struct LetterAddress: Codable, Sendable, Equatable {
        /// The item (`1.6`); nil for the incident's own address (a touchpoint).
        public var item: String?
        public var text: String
        public var address: String
    }

    public struct Warning: Codable, Sendable, Equatable {
        /// `over-promising`, `low-follow-through`, `repeat-breach`.
        public var code: String
        public var message: String
        public init(code: String, message: String) { self.code = code; self.message = message }
    }

    public struct Opened: Codable, Sendable, Equatable {
        public var incident: IncidentSummary
        public var items: [Item]
        public var warnings: [Warning]
    }

    public struct Promised: Codable, Sendable, Equatable {
        public var item: Item
        public var warnings: [Warning]
    }

    public struct Changed: Codable, Sendable, Equatable {
        public var occurrences: [Occurrence]
        public var message: String
        public var warnings: [Warning]
        public init(occurrences: [Occurrence], message: String, warnings: [Warning] = []) {
            self.occurrences = occurrences; self.message = message; self.warnings = warnings
        }
    }

    /// What became of a reply: acted on, answered without a change, or ignored (and why).
    public struct Ingested: Codable, Sendable, Equatable {
        public enum Outcome: String, Codable, Sendable { case acted, answered, ignored, bounce }
        public var outcome: Outcome
        /// Why it was ignored or changed nothing, in a word (`from-not-owner`, `replayed`, …).
        public var reason: String?
        /// What the confirmation says, or what was ignored.
        public var message: String
        /// The occurrence it was about, when known.
        public var occurrence: String?
        public init(outcome: Outcome, reason: String? = nil, message: String, occurrence: String? = nil) {
            self.outcome = outcome; self.reason = reason; self.message = message; self.occurrence = occurrence
        }
    }

    public struct Closed: Codable, Sendable, Equatable {
        public var incident: IncidentSummary
        public var released: Int
    }

    public struct Agenda: Codable, Sendable, Equatable {
        public var now: Instant
        public var days: Int
        public var overdue: [Occurrence]
        public var upcoming: [Occurrence]
    }

    public struct LedgerReport: Codable, Sendable, Equatable {
        public struct Row: Codable, Sendable, Equatable {
            public var incident: Int?
            public var client: String
            public var title: String?
            public var ledger: Ledger
        }
        public var incidents: [Row]
        public var clients: [Row]
        public var total: Ledger
    }

    public struct Channel: Codable, Sendable, Equatable {
        public var name: ChannelName
        public var enabled: Bool
        public var lastSuccess: Instant?
        public var lastFailure: Instant?
        public var lastError: String?
        public var pending: Int
        public init(name: ChannelName, enabled: Bool, lastSuccess: Instant? = nil, lastFailure: Instant? = nil, lastError: String? = nil, pending: Int = 0) {
            self.name = name; self.enabled = enabled; self.lastSuccess = lastSuccess; self.lastFailure = lastFailure
            self.lastError = lastError; self.pending = pending
        }
    }

    /// The CalDAV calendar, in `kept status`.
    public struct CalendarStatus: Codable, Sendable, Equatable {
        public var url: String
        public var lastSync: Instant?
        /// Tasks still to be written (the server was down, or refused).
        public var pending: Int
        public var lastError: String?
        public var lastErrorAt: Instant?
        public init(url: String, lastSync: Instant?, pending: Int, lastError: String?, lastErrorAt: Instant?) {
            self.url = url; self.lastSync = lastSync; self.pending = pending; self.lastError = lastError; self.lastErrorAt = lastErrorAt
        }
    }

    /// What `kept sync` did.
    public struct Synced: Codable, Sendable, Equatable {
        public var written: Int
        public var read: Int
        /// Changes made on a client that kept carried out (done, snoozed).
        public var actedOn: Int
        /// Tasks deleted on a client and put back.
        public var restored: Int
        public var pending: Int
        /// False when the sync was still going when the answer was due (a long first publish): it goes on.
        public var finished: Bool
        public init(written: Int, read: Int, actedOn: Int, restored: Int, pending: Int, finished: Bool = true) {
            self.written = written; self.read = read; self.actedOn = actedOn; self.restored = restored; self.pending = pending
            self.finished = finished
        }
    }

    public struct Status: Codable, Sendable, Equatable {
        public var version: String
        public var pid: Int32
        public var started: Instant
        public var uptimeSeconds: Int64
        public var store: String
        public var config: String
        public var socket: String
        public var timeZone: String
        public var incidents: Int
        public var openIncidents: Int
        public var items: Int
        public var nextReminder: Instant?
        public var nextReminderKey: ReminderKey?
        public var outbox: Int
        public var channels: [Channel]
        /// Deliveries not yet made, oldest first: waiting for a retry, running, or about to run.
        public var pending: [Pending]
        /// Recent reminders a channel gave up on, with why.
        public var givenUp: [GivenUp]
        /// The CalDAV calendar, when one is configured.
        public var calendar: CalendarStatus?

        public init(version: String, pid: Int32, started: Instant, uptimeSeconds: Int64, store: String, config: String,
                    socket: String, timeZone: String, incidents: Int, openIncidents: Int, items: Int, nextReminder: Instant?,
                    nextReminderKey: ReminderKey?, outbox: Int, channels: [Channel], pending: [Pending] = [], givenUp: [GivenUp] = []) {
            self.pending = pending; self.givenUp = givenUp
            self.version = version; self.pid = pid; self.started = started; self.uptimeSeconds = uptimeSeconds
            self.store = store; self.config = config; self.socket = socket; self.timeZone = timeZone
            self.incidents = incidents; self.openIncidents = openIncidents; self.items = items
            self.nextReminder = nextReminder; self.nextReminderKey = nextReminderKey; self.outbox = outbox; self.channels = channels
        }
    }

    public struct Pending: Codable, Sendable, Equatable {
        public var key: ReminderKey
        public var channel: ChannelName
        public var subject: String
        public var attempts: Int
        public var retryAt: Instant?
        public var lastError: String?
        public init(key: ReminderKey, channel: ChannelName, subject: String, attempts: Int, retryAt: Instant?, lastError: String?) {
            self.key = key; self.channel = channel; self.subject = subject; self.attempts = attempts
            self.retryAt = retryAt; self.lastError = lastError
        }
    }

    public struct GivenUp: Codable, Sendable, Equatable {
        public var key: ReminderKey
        public var channel: ChannelName
        public var at: Instant
        public var error: String
        public init(key: ReminderKey, channel: ChannelName, at: Instant, error: String) {
            self.key = key; self.channel = channel; self.at = at; self.error = error
        }
    }

    /// `export` with format `ics`.
    public struct Calendar: Codable, Sendable, Equatable {
        public var ics: String
        public init(ics: String) { self.ics = ics }
    }

    /// What `export` answers: the whole store as the daemon keeps it, or a calendar. A reader gets
    /// the store back as the JSON it was, every member kept.
    public enum Export: Codable, Sendable {
        case store(StoreState)
        case calendar(Calendar)
        /// A store as read back by a client.
        case document(JSONValue)

        public init(from decoder: any Decoder) throws {
            let value = try JSONValue(from: decoder)
            if case .object(let members) = value, members.count == 1, case .string(let ics)? = members["ics"] {
                self = .calendar(Calendar(ics: ics))
            } else {
                self = .document(value)
            }
        }

        public func encode(to encoder: any Encoder) throws {
            switch self {
            case .store(let state): try state.encode(to: encoder)
            case .calendar(let calendar): try calendar.encode(to: encoder)
            case .document(let value): try value.encode(to: encoder)
            }
        }
    }

    /// Something to send the client, for the user to finish and send.
    public struct Draft: Codable, Sendable, Equatable {
        public var item: String
        /// `apology`, `plan`, `progress-report`, `review`.
        public var kind: String
        public var to: String
        public var subject: String
        public var text: String
        /// With replies on: the item's logging address, to Bcc when the letter is sent.
        public var bcc: String?
        public var cc: String?
        /// With `save`: the draft's file in the Drafts folder.
        public var savedTo: String?
        public init(item: String, kind: String, to: String, subject: String, text: String, bcc: String? = nil, cc: String? = nil) {
            self.item = item; self.kind = kind; self.to = to; self.subject = subject; self.text = text; self.bcc = bcc; self.cc = cc
        }
    }

    public struct Message: Codable, Sendable, Equatable {
        public var message: String
        public init(message: String) { self.message = message }
    }
}

/// Whether an incident is still in its recovery.
public enum IncidentStatus: String, Codable, Sendable {
    case open, closed
}
