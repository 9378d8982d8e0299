import Foundation

/// What a booking reserves.
public enum BookingKind: String, Sendable, CaseIterable {
    /// With a partner advisor during one of their permanences: the advisor and the room.
    case permanence
    /// With a remote specialist by video: the confidential room, its visio station and
    /// the specialist, together or not at all.
    case visio
    /// The confidential room alone, for a private talk with an agent.
    case room
}

/// The minimum a booking keeps about the usager. Phone and e-mail exist only when the
/// usager asked for a reminder; everything here is deleted once the appointment's purpose ends.
public struct Usager: Sendable, Hashable {
    public var name: String
    public var phone: String?
    public var email: String?
    public var reminderConsent: Bool

    public init(name: String, phone: String? = nil, email: String? = nil, reminderConsent: Bool = false) {
        self.name = name
        self.phone = phone
        self.email = email
        self.reminderConsent = reminderConsent
    }

    public func validate() throws(AgendaError) {
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, trimmed.count <= 100 else {
            throw .invalidField("usager.name", french: "Le nom de l'usager est requis (100 caractères au plus).", english: "The usager's name is required (at most 100 characters).")
        }
        guard !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw .invalidField("usager.name", french: "Le nom contient des caractères de contrôle.", english: "The name contains control characters.")
        }
        if (phone != nil || email != nil) && !reminderConsent {
            throw .invalidField("usager.reminderConsent", french: "Un téléphone ou un e-mail ne se note que si l'usager demande un rappel (reminderConsent).", english: "A phone or e-mail is kept only when the usager asks for a reminder (reminderConsent).")
        }
        if let phone {
            let digits = phone.filter(\.isASCIIDigit)
            guard (6...15).contains(digits.count), phone.allSatisfy({ $0.isASCIIDigit || " +.-()".contains($0) }) else {
                throw .invalidField("usager.phone", french: "Numéro de téléphone invalide.", english: "Invalid phone number.")
            }
        }
        if let email {
            let parts = email.split(separator: "@", omittingEmptySubsequences: false)
            // Nothing a mail header could be split on (the address goes into the notices' To:).
            guard email.count <= 254, parts.count == 2, !parts[0].isEmpty, parts[1].contains("."),
                email.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F && !"<>,;\"()[]\\".unicodeScalars.contains($0) })
            else {
                throw .invalidField("usager.email", french: "Adresse e-mail invalide.", english: "Invalid e-mail address.")
            }
        }
    }
}

/// A usager's appointment.
public struct Booking: Sendable, Hashable, Identifiable {
    public var id: String
    public var kind: BookingKind
    public var partner: String?
    public var lifeSituation: String?
    public var permanence: String?
    public var visioSlot: String?
    public var room: String
    public var specialist: String?
    public var station: String?
    public var span: TimeSpan
    public var status: BookingStatus
    public var usager: Usager?
    public var createdAt: Date
    public var updatedAt: Date
    public var sequence: Int

    public init(
        id: String, kind: BookingKind, partner: String?, lifeSituation: String?, permanence: String?, visioSlot: String?,
        room: String, specialist: String?, station: String?, span: TimeSpan, status: BookingStatus, usager: Usager?,
        createdAt: Date, updatedAt: Date, sequence: Int
    ) {
        self.id = id
        self.kind = kind
        self.partner = partner
        self.lifeSituation = lifeSituation
        self.permanence = permanence
        self.visioSlot = visioSlot
        self.room = room
        self.specialist = specialist
        self.station = station
        self.span = span
        self.status = status
        self.usager = usager
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.sequence = sequence
    }

    /// Whether it still holds its room, station and specialist.
    public var holdsResources: Bool { status != .cancelled }
}

extension Usager: Encodable {}

extension StructureTimeZone {
    /// The zone a `Booking` writes its instants in, set around the encoding.
    @TaskLocal public static var forEncoding: StructureTimeZone?
}

/// The API's shape of a booking (its instants ISO 8601 with the structure's offset): the one
/// place besides the store's row that lists its fields.
extension Booking: Encodable {
    enum CodingKeys: String, CodingKey {
        case id, kind, status, partner, lifeSituation, permanence, visioSlot, room, specialist, station, start, end, usager, createdAt, updatedAt, sequence
    }

    public func encode(to encoder: any Encoder) throws {
        guard let zone = StructureTimeZone.forEncoding else {
            throw EncodingError.invalidValue(self, .init(codingPath: encoder.codingPath, debugDescription: "a booking is written with the structure's time zone"))
        }
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(kind.rawValue, forKey: .kind)
        try c.encode(status.rawValue, forKey: .status)
        try c.encodeIfPresent(partner, forKey: .partner)
        try c.encodeIfPresent(lifeSituation, forKey: .lifeSituation)
        try c.encodeIfPresent(permanence, forKey: .permanence)
        try c.encodeIfPresent(visioSlot, forKey: .visioSlot)
        try c.encode(room, forKey: .room)
        try c.encodeIfPresent(specialist, forKey: .specialist)
        try c.encodeIfPresent(station, forKey: .station)
        try c.encode(Timestamp.format(span.start, in: zone), forKey: .start)
        try c.encode(Timestamp.format(span.end, in: zone), forKey: .end)
        try c.encodeIfPresent(usager, forKey: .usager)
        try c.encode(Timestamp.format(createdAt, in: zone), forKey: .createdAt)
        try c.encode(Timestamp.format(updatedAt, in: zone), forKey: .updatedAt)
        try c.encode(sequence, forKey: .sequence)
    }
}
