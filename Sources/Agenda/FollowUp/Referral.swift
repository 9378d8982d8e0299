import Foundation

/// Where a referral to a partner referent stands. `overdue` is not stored: it is a sent
/// referral whose deadline has passed, seen from a given instant.
public enum ReferralStatus: String, CaseIterable, Sendable, Codable {
    case sent, answered, closed, overdue

    public var french: String {
        switch self {
        case .sent: "Envoyée"
        case .answered: "Réponse reçue"
        case .closed: "Clôturée"
        case .overdue: "En retard"
        }
    }
}

/// A complex case sent to a partner's referent, answered within 72 working hours.
public struct Referral: Sendable, Equatable {
    public static let answerHours = 72

    public let id: String
    public let partner: String
    public let referent: String
    public let agent: String
    public let subject: String
    public let usagerName: String?
    public let sentAt: Date
    public let deadline: Date
    public let answeredAt: Date?
    public let answer: String?
    public let closedAt: Date?

    public init(
        id: String, partner: String, referent: String, agent: String, subject: String, usagerName: String?,
        sentAt: Date, deadline: Date, answeredAt: Date? = nil, answer: String? = nil, closedAt: Date? = nil
    ) {
        self.id = id
        self.partner = partner
        self.referent = referent
        self.agent = agent
        self.subject = subject
        self.usagerName = usagerName
        self.sentAt = sentAt
        self.deadline = deadline
        self.answeredAt = answeredAt
        self.answer = answer
        self.closedAt = closedAt
    }

    public func status(at now: Date) -> ReferralStatus {
        if closedAt != nil { return .closed }
        if answeredAt != nil { return .answered }
        return now > deadline ? .overdue : .sent
    }

    /// Answered before the deadline: the share the quarterly report publishes.
    public var answeredInTime: Bool { answeredAt.map { $0 <= deadline } ?? false }
}
