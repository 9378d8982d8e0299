import Foundation

/// A PC of the structure other than the server: a self-service station or the confidential
/// room's visio PC, known by its station id in the configuration. It is enrolled with a
/// one-time code and then calls the server with its own credential.
public struct Device: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        case station, room
    }

    public let id: String
    public let kind: Kind
    public let enrolledAt: Date?
    public let revokedAt: Date?
    /// A code was issued and not yet spent: until then.
    public let codeExpiresAt: Date?
    public let lastContactAt: Date?
    /// What the device said of itself on its last contact.
    public let version: String?
    public let health: String?

    public init(
        id: String, kind: Kind, enrolledAt: Date?, revokedAt: Date?, codeExpiresAt: Date?, lastContactAt: Date?, version: String?, health: String?
    ) {
        (self.id, self.kind, self.enrolledAt, self.revokedAt, self.codeExpiresAt) = (id, kind, enrolledAt, revokedAt, codeExpiresAt)
        (self.lastContactAt, self.version, self.health) = (lastContactAt, version, health)
    }

    /// Holds a credential the server accepts.
    public var isEnrolled: Bool { enrolledAt != nil && revokedAt == nil }
}
