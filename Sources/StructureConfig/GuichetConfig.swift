import Agenda
import Foundation

/// Everything the configuration file says: the structure, booking settings, and the demo
/// data seeded into an empty database.
public struct GuichetConfig: Sendable {
    public var structure: Structure
    public var booking: BookingSettings
    public var console: ConsoleSettings
    public var kiosk: KioskSettings
    public var health = HealthSettings()
    public var backups = BackupSettings()
    public var metrics = MetricsSettings()
    /// Nil: the structure's own SQLite file only (`database: "sqlite"`, the default).
    public var network: NetworkSettings?
    /// Nil: no notice is sent (no `notices` in the file).
    public var notices: NoticeSettings?
    public var demo: DemoData
    /// The document it was read from, as given (the server hands it to the stations).
    public var document = Data()

    /// Every site the station's locked browser may open: the partners', the life
    /// situations' and the kiosk's extra sites, each once.
    public var kioskSites: [String] {
        (structure.partners.map(\.website) + structure.lifeSituations.flatMap(\.websites) + kiosk.extraSites)
            .reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
    }

    /// Reads and validates `path`, or throws naming the file, the key and the rule broken.
    public static func load(path: String) throws(ConfigError) -> GuichetConfig {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw ConfigError(file: path, key: "", message: "no such file (give the configuration's path, such as /etc/guichet/guichet.json)")
        }
        guard !isFolder.boolValue else { throw ConfigError(file: path, key: "", message: "is a folder, not a configuration file") }
        guard FileManager.default.isReadableFile(atPath: path), let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(file: path, key: "", message: "cannot be read (check its permissions: the daemon's user must be able to read it)")
        }
        return try parse(data, file: path)
    }

    /// Validates a configuration document; `file` names it in errors.
    public static func parse(_ data: Data, file: String) throws(ConfigError) -> GuichetConfig {
        guard data.count <= 1_000_000 else { throw ConfigError(file: file, key: "", message: "is larger than 1 MB") }
        let root: JSONValue
        do {
            root = try StrictJSON.parse(data)
        } catch {
            throw ConfigError(file: file, key: "", message: "is not valid JSON: \(error)")
        }
        var config = try ConfigParser(file: file).parse(root)
        config.document = data
        return config
    }
}

/// Booking settings for the agenda.
public struct BookingSettings: Sendable {
    /// Default length of an appointment at a permanence, minutes.
    public var slotMinutes: Int
}

/// The agents' console: sessions, password hashing, partner referents and how long
/// personal data is kept once its purpose has ended.
public struct ConsoleSettings: Sendable {
    public struct Referent: Sendable {
        public var id: String
        public var partner: String
        public var name: String
        public var email: String
    }

    /// Days personal data is kept after its purpose ended (0: purged at the next run).
    public struct Retention: Sendable {
        /// After the appointment ended (done, no-show or cancelled).
        public var bookings = 0
        /// A contact's free note, after the visit.
        public var contactNotes = 30
        /// After the referral was closed.
        public var referrals = 30
        /// After the mandate expired or was withdrawn.
        public var mandates = 0
        /// A contact-form message, after it was answered.
        public var messages = 30
    }

    public var sessionHours = 10
    /// bcrypt cost factor for agents' passwords (12 ≈ 0.3 s on a modest PC).
    public var passwordCost = 12
    public var retention = Retention()
    public var referents: [Referent] = []

    public init() {}
}

/// What `/healthz` and `guichet doctor` count as healthy.
/// The daemon's daily backup of its database (`guichet backup`'s copy, once a day).
public struct BackupSettings: Sendable {
    /// Where the daily copies go; relative: inside the data folder. Another disk is better.
    public var folder = "backups"
    /// How many daily copies are kept (0: no daily backup).
    public var keep = 7

    public init() {}
}

/// The e-mails a usager asks for at booking (confirmation, reminder, moved, cancelled),
/// handed to the local MTA.
public struct NoticeSettings: Sendable {
    /// The MTA's command, reading the message on stdin with its recipients in To:.
    public var sendmail = ["/usr/sbin/sendmail", "-t", "-oi"]
    /// The sender's address; the structure's own when nil.
    public var from: String?
    /// How long before the appointment the reminder goes.
    public var reminderHours = 48
    /// Attempts before a notice is given up (and shown to the agents).
    public var maxAttempts = 6
    /// How often due notices are looked for.
    public var checkSeconds = 60
    /// Nil: no SMS (a usager who left only a phone number gets no notice).
    public var sms: SMSSettings?

    public init() {}
}

/// The structure's SMS provider's HTTP API, described rather than coded (each French
/// provider has its own): `{phone}`, `{text}` and `{secret}` are filled in the fields and
/// headers.
public struct SMSSettings: Sendable {
    public enum Format: String, Sendable { case json, form }
    public var url: String
    public var method = "POST"
    public var headers: [String: String] = [:]
    /// A file holding the provider's key (never in the configuration, never logged).
    public var secretFile: String?
    public var format = Format.json
    public var fields: [String: String]

    public init(url: String, fields: [String: String]) {
        self.url = url
        self.fields = fields
    }
}

/// The network's PostgreSQL database this structure belongs to (`database: "postgres://…"`).
public struct NetworkSettings: Sendable, Equatable {
    /// `postgres://user@host:port/database?sslmode=…` (or `?host=/socket/dir`), never with a
    /// password: the configuration is handed to the stations.
    public var url: String
    /// A file holding the password, readable by the server only.
    public var passwordFile: String?

    public init(url: String, passwordFile: String? = nil) { (self.url, self.passwordFile) = (url, passwordFile) }
}

/// Who may read `/metrics` besides the machine itself.
public struct MetricsSettings: Sendable {
    /// A file holding the bearer token a remote Prometheus presents (nil: loopback only).
    public var tokenFile: String?

    public init() {}
}

public struct HealthSettings: Sendable {
    /// Free space on the data folder's file system below which the disk is reported down.
    public var minimumFreeMegabytes = 200

    public init() {}
}

/// The self-service stations: session timings, printing and scanning, the locked browser.
public struct KioskSettings: Sendable {
    /// Seconds without a touch or a key before the inactivity warning.
    public var inactivitySeconds = 300
    /// How long the warning stays before the session ends (at least 20 s, WCAG 2.2.1).
    public var warningSeconds = 60
    /// Pages a session may print (printing is free, not unlimited).
    public var pageCap = 30
    /// `host:port` of cupsd; nil: the system's.
    public var cupsServer: String?
    /// The queue to print to; nil: the first queue CUPS lists.
    public var printerQueue: String?
    /// The SANE device to scan with; nil: the first device SANE finds.
    public var scanner: String?
    /// Backend-specific SANE options set before each scan (name → value).
    public var scannerOptions: [String: String] = [:]
    /// Sites the locked browser allows besides the partners' and life situations' sites.
    public var extraSites: [String] = []
    /// Languages of the station's UI, the first being the default.
    public var languages = KioskSettings.allLanguages
    /// Every language the station has texts for (`kiosk/strings/{code}.json`): French, then
    /// easy-to-read French ("facile à lire et à comprendre"), then the languages most asked
    /// at French public counters.
    public static let allLanguages = ["fr", "falc", "en", "ar", "es", "pt", "tr", "ro", "uk"]

    public init() {}
}

/// Sample specialists, permanences and visio slots for the demo structure; seeded only
/// into a database that has none, so a real site simply leaves the section out.
public struct DemoData: Sendable {
    public struct SpecialistSeed: Sendable {
        public var id: String
        public var partner: String
        public var displayName: String
    }

    public struct PermanenceSeed: Sendable {
        public var specialist: String
        public var room: String
        public var recurrence: Recurrence
        public var hours: LocalTimeRange
    }

    public struct VisioSeed: Sendable {
        public var specialist: String
        public var weekday: Weekday
        public var hours: LocalTimeRange
        /// How many weeks ahead the slot is opened.
        public var weeks: Int
    }

    public var specialists: [SpecialistSeed] = []
    public var permanences: [PermanenceSeed] = []
    public var visioSlots: [VisioSeed] = []
}
