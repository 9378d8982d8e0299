import Foundation

/// A window in which a remote specialist of a partner is available by video from the
/// confidential space. A booking inside it reserves the room, the visio station and
/// the specialist together.
public struct VisioSlot: Sendable, Hashable, Identifiable {
    public var id: String
    public var partner: String
    public var specialist: String
    public var room: String
    public var station: String
    public var span: TimeSpan
    public var cancelled: Bool
    public var sequence: Int

    public init(id: String, partner: String, specialist: String, room: String, station: String, span: TimeSpan, cancelled: Bool = false, sequence: Int = 0) {
        self.id = id
        self.partner = partner
        self.specialist = specialist
        self.room = room
        self.station = station
        self.span = span
        self.cancelled = cancelled
        self.sequence = sequence
    }
}
