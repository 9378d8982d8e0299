import Foundation

/// One usager's session at a self-service station, anonymous: what the reports count.
public struct StationUse: Sendable, Equatable {
    public let id: String
    public let station: String
    public let start: Date
    public let end: Date?
    /// Life situations chosen and partners whose sites were opened during the session (partner
    /// ids; sessions recorded before 2026-12 hold the site's host: see `Structure.partners(forSite:)`).
    public let lifeSituations: [String]
    public let partnerSites: [String]
    public let pagesPrinted: Int
    public let pagesScanned: Int
    public let helpRequested: Bool
    /// An agent accompanied the usager (marked from the console).
    public let accompanied: Bool
    /// The language the station's screens were last shown in (`kiosk/strings/{code}.json`);
    /// nil for sessions recorded before the station had a choice. No other personal detail.
    public let language: String?

    public init(
        id: String, station: String, start: Date, end: Date?, lifeSituations: [String], partnerSites: [String], pagesPrinted: Int,
        pagesScanned: Int, helpRequested: Bool, accompanied: Bool, language: String? = nil
    ) {
        self.id = id
        self.station = station
        self.start = start
        self.end = end
        self.lifeSituations = lifeSituations
        self.partnerSites = partnerSites
        self.pagesPrinted = pagesPrinted
        self.pagesScanned = pagesScanned
        self.helpRequested = helpRequested
        self.accompanied = accompanied
        self.language = language
    }
}

/// The station's languages as the console and the reports name them (in French).
public enum StationLanguage {
    public static let frenchNames = [
        "fr": "français", "falc": "français facile à lire", "en": "anglais", "ar": "arabe", "es": "espagnol", "pt": "portugais",
        "tr": "turc", "ro": "roumain", "uk": "ukrainien",
    ]

    public static func frenchName(_ code: String?) -> String {
        guard let code else { return "non enregistrée" }
        return frenchNames[code] ?? code
    }

    /// A language code as a station may send it: a few lowercase letters.
    public static func isValid(_ code: String) -> Bool { code.wholeMatch(of: /[a-z]{2,8}/) != nil }
}

/// An anonymous satisfaction answer (1 = very dissatisfied … 5 = very satisfied).
public struct SatisfactionAnswer: Sendable, Equatable {
    public static let scale = 1...5
    public let at: Date
    public let score: Int
    public let source: String

    public init(at: Date, score: Int, source: String) {
        self.at = at
        self.score = score
        self.source = source
    }
}

/// A message sent through the public contact form, to be answered within 72 hours.
public struct ContactMessage: Sendable, Equatable {
    public static let answerHours = 72
    public let id: String
    public let receivedAt: Date
    public let name: String?
    public let email: String?
    public let message: String?
    public let answeredAt: Date?

    public init(id: String, receivedAt: Date, name: String?, email: String?, message: String?, answeredAt: Date?) {
        self.id = id
        self.receivedAt = receivedAt
        self.name = name
        self.email = email
        self.message = message
        self.answeredAt = answeredAt
    }

    public var deadline: Date { receivedAt.addingTimeInterval(TimeInterval(Self.answerHours * 3600)) }
    public var answeredInTime: Bool { answeredAt.map { $0 <= deadline } ?? false }
    public func overdue(at now: Date) -> Bool { answeredAt == nil && now > deadline }
}
