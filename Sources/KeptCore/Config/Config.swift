/// Everything a user can set, with the defaults of the playbook and the reminders.
///
/// `config/config.yaml` documents every key; the daemon reads it at start and on reload.
public struct Config: Sendable, Equatable {
    /// Follow-through window, in days from `noticed`.
    public var windowDays = 90
    /// Local time of day for lead reminders, date-only dues, overdue nudges and the digest.
    public var remindAt = TimeOfDay(hour: 9, minute: 0)
    /// The lead reminder goes this many days before the due day.
    public var leadDays = 1
    /// Daily overdue nudges after the due day, at most this many.
    public var overdueNudges = 3
    /// An occurrence not done this many days after it was due is missed.
    public var missedAfterDays = 7

    public var playbook = Playbook()
    public var checkins = Checkins()
    public var warnings = Warnings()
    public var digest = Digest()
    public var maildir = MaildirChannel()
    public var email = EmailChannel()
    public var command = CommandChannel()
    public var retry = Retry()
    public var reply = Reply()
    public var calendar = Calendar()
    public var letters = Letters()

    public init() {}

    /// Whether reminders go out through `channel`.
    public func enabled(_ channel: ChannelName) -> Bool {
        switch channel {
        case .maildir: maildir.enabled
        case .email: email.enabled
        case .command: command.enabled
        }
    }

    /// Playbook step offsets from `noticed`; `review` is at the window's end.
    public struct Playbook: Sendable, Equatable {
        public var acknowledge = Interval(24, .hour)
        public var understandImpact = Interval(2, .day)
        public var rootCause = Interval(3, .day)
        public var sharePlan = Interval(5, .day)
        public init() {}

        public func offset(of step: PlaybookStep) -> Interval? {
            switch step {
            case .acknowledge: acknowledge
            case .understandImpact: understandImpact
            case .rootCause: rootCause
            case .sharePlan: sharePlan
            case .review: nil
            }
        }
    }

    /// Check-in cadence: every `firstEvery` for `firstWeeks` weeks, then every `thenEvery`.
    public struct Checkins: Sendable, Equatable {
        public var firstEvery = Interval(1, .week)
        public var firstWeeks = 4
        public var thenEvery = Interval(2, .week)
        public init() {}
    }

    public struct Warnings: Sendable, Equatable {
        /// More than this many occurrences due in one 7-day span of an incident is over-promising.
        public var maxDuePerWeek = 3
        /// Adding a promise while the incident's follow-through rate is below this warns.
        public var minRate = 0.8
        public init() {}
    }

    public struct Digest: Sendable, Equatable {
        public var enabled = true
        /// ISO weekday, 1 = Monday.
        public var weekday = 1
        public init() {}
    }

    public struct MaildirChannel: Sendable, Equatable {
        public var enabled = true
        /// nil: `$XDG_DATA_HOME/kept/Maildir`.
        public var path: String?
        public init() {}
    }

    public struct EmailChannel: Sendable, Equatable {
        public var enabled = false
        public var to: [String] = []
        /// nil: the user at this host.
        public var from: String?
        public var sendmail = ["/usr/sbin/sendmail"]
        public var timeoutSeconds = 60
        public init() {}
    }

    /// Replies by mail (`reply.*`): off while `address` is unset.
    public struct Reply: Sendable, Equatable {
        /// `dana+kept@example.org`: reminders carry `Reply-To: dana+kept-TOKEN@example.org`.
        public var address: String?
        /// The owner's addresses; a reply from any other changes nothing.
        public var from: [String] = []
        /// A Maildir keptd watches for replies (absolute, `~/` for the home folder).
        public var watch: String?
        /// With `dkim`, a reply also needs dkim=pass or dmarc=pass from `trustedServer`.
        public var requireDKIM = false
        public var trustedServer = ""
        public init() {}
    }

    /// The letters to the client (`letters.*`).
    public struct Letters: Sendable, Equatable {
        /// How the drafts are signed; without it, the name of the first owner address
        /// (`reply.from: ["Dana Example <dana@example.org>"]`).
        public var signature: String?
        /// A Maildir folder the user's mail program drafts in (synced up by mbsync …): each
        /// letter is put there when its lead reminder goes out.
        public var drafts: String?
        public init() {}
    }

    /// The CalDAV calendar kept keeps its dues on (`calendar.*`); nil `url`: none.
    public struct Calendar: Sendable, Equatable {
        /// The calendar collection (`https://dav.example.org/dana/kept/`), made if missing.
        public var url: String?
        public var username: String?
        /// A file holding the password (0600); else the systemd credential `caldav-password`.
        public var passwordFile: String?
        public var intervalMinutes = 15
        /// Minutes before each due for an alarm on the task; nil: none (kept's reminders are the alarm).
        public var alarmMinutes: Int?
        public init() {}
    }

    public struct CommandChannel: Sendable, Equatable {
        public var enabled = false
        public var argv: [String] = []
        public var timeoutSeconds = 30
        public init() {}
    }

    /// How long a channel waits before it tries a failed delivery again: `firstSeconds` after the
    /// first failure, twice as long after each further one, never longer than `capSeconds`.
    public struct Retry: Sendable, Equatable {
        public var firstSeconds = 30
        public var capSeconds = 3600
        public init() {}

        /// The wait after the `attempts`-th failed attempt (1 for the first).
        public func delay(afterAttempts attempts: Int) -> Int64 {
            let doublings = Int64(min(max(attempts - 1, 0), 20))
            return min(Int64(capSeconds), Int64(firstSeconds) << doublings)
        }
    }
}
