/// Who a visio link lets in: the booking's specialist, or the one more participant the agent
/// invited (an interpreter — a foreign language, or French Sign Language through a video relay
/// service — or a second advisor). Each has their own link, page and connection.
public enum VisioSeat: String, Sendable, Hashable, CaseIterable {
    case specialist
    case guest

    /// The seat's number in the room's conference (the specialist's is 0).
    public var index: Int { self == .specialist ? 0 : 1 }
}
