import Foundation

/// How a usager reached the structure for a visit recorded by an agent.
public enum ContactChannel: String, CaseIterable, Sendable, Codable {
    case walkIn = "walk-in"
    case phone
    case email

    public var french: String {
        switch self {
        case .walkIn: "Accueil physique"
        case .phone: "Téléphone"
        case .email: "Courriel"
        }
    }
}

/// How a visit ended: the three outcomes the quarterly report counts.
public enum ContactOutcome: String, CaseIterable, Sendable, Codable {
    case resolved
    case appointment
    case referred

    public var french: String {
        switch self {
        case .resolved: "Résolu sur place"
        case .appointment: "Rendez-vous pris"
        case .referred: "Orienté vers un partenaire"
        }
    }
}

/// One visit, the record behind the activity reports. It carries no usager identity: the
/// optional note is the only free text and is cleared when the retention ends.
public struct Contact: Sendable, Equatable {
    public let id: String
    public let at: Date
    public let agent: String
    public let partners: [String]
    public let lifeSituation: String?
    public let reason: String
    public let channel: ContactChannel
    public let accompanied: Bool
    public let outcome: ContactOutcome
    public let note: String?

    public init(
        id: String, at: Date, agent: String, partners: [String], lifeSituation: String?, reason: String,
        channel: ContactChannel, accompanied: Bool, outcome: ContactOutcome, note: String?
    ) {
        self.id = id
        self.at = at
        self.agent = agent
        self.partners = partners
        self.lifeSituation = lifeSituation
        self.reason = reason
        self.channel = channel
        self.accompanied = accompanied
        self.outcome = outcome
        self.note = note
    }
}
