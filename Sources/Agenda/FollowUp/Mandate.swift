import Foundation

/// The procedure categories a usager may entrust to an agent; each is withdrawable alone.
public enum MandateCategory: String, CaseIterable, Sendable, Codable {
    case identity, family, social, work, housing, transport, money, justice, foreigners, leisure

    public var french: String {
        switch self {
        case .identity: "Papiers d’identité"
        case .family: "Famille"
        case .social: "Social et santé"
        case .work: "Travail et emploi"
        case .housing: "Logement"
        case .transport: "Transports"
        case .money: "Argent et impôts"
        case .justice: "Justice"
        case .foreigners: "Étrangers"
        case .leisure: "Loisirs"
        }
    }
}

/// How long a mandate runs from its signature.
public enum MandateDuration: String, CaseIterable, Sendable, Codable {
    case oneDay = "one-day"
    case oneMonth = "one-month"
    case sixMonths = "six-months"
    case oneYear = "one-year"

    public var french: String {
        switch self {
        case .oneDay: "Une journée"
        case .oneMonth: "Un mois"
        case .sixMonths: "Six mois"
        case .oneYear: "Un an"
        }
    }

    /// The end of the mandate: midnight after the signing day for one day, otherwise the
    /// same local date months later (clamped to the month's last day).
    public func expiry(signedAt: Date, zone: StructureTimeZone) -> Date {
        let day = zone.localDate(signedAt)
        let end: LocalDate
        switch self {
        case .oneDay: end = day.adding(days: 1)
        case .oneMonth: end = day.addingMonths(1)
        case .sixMonths: end = day.addingMonths(6)
        case .oneYear: end = day.addingMonths(12)
        }
        return zone.instant(end, LocalTime.midnight)
    }
}

/// What happened to a mandate, in the order it happened. The journal of these is append-only.
public enum MandateEventKind: String, Sendable, Codable {
    case signed
    case categoryWithdrawn = "category-withdrawn"
    case withdrawn
    case printed
    case expired
    case purged
}

/// A mandate signed on site, with the state of each entrusted category.
public struct Mandate: Sendable, Equatable {
    public struct Scope: Sendable, Equatable {
        public let category: MandateCategory
        public let withdrawnAt: Date?

        public init(category: MandateCategory, withdrawnAt: Date?) {
            self.category = category
            self.withdrawnAt = withdrawnAt
        }
    }

    public let id: String
    public let usagerName: String?
    public let identityDocument: String?
    public let agent: String
    public let signedAt: Date
    public let duration: MandateDuration
    public let expiresAt: Date
    public let parties: Int
    public let withdrawnAt: Date?
    public let purgedAt: Date?
    public let scopes: [Scope]

    public init(
        id: String, usagerName: String?, identityDocument: String?, agent: String, signedAt: Date, duration: MandateDuration, expiresAt: Date,
        parties: Int, withdrawnAt: Date?, purgedAt: Date?, scopes: [Scope]
    ) {
        (self.id, self.usagerName, self.identityDocument, self.agent, self.signedAt) = (id, usagerName, identityDocument, agent, signedAt)
        (self.duration, self.expiresAt, self.parties, self.withdrawnAt, self.purgedAt, self.scopes) = (duration, expiresAt, parties, withdrawnAt, purgedAt, scopes)
    }

    public func isActive(at now: Date) -> Bool {
        withdrawnAt == nil && now < expiresAt && scopes.contains { $0.withdrawnAt == nil }
    }

    public var activeCategories: [MandateCategory] { scopes.filter { $0.withdrawnAt == nil }.map(\.category) }
}

/// One line of the append-only mandate journal.
public struct MandateEvent: Sendable, Equatable {
    public let mandate: String
    public let at: Date
    public let kind: MandateEventKind
    public let category: MandateCategory?
    public let actor: String

    public init(mandate: String, at: Date, kind: MandateEventKind, category: MandateCategory?, actor: String) {
        self.mandate = mandate
        self.at = at
        self.kind = kind
        self.category = category
        self.actor = actor
    }
}
