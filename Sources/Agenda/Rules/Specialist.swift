/// An advisor of a partner who holds permanences on site or visio appointments remotely.
public struct Specialist: Sendable, Hashable, Identifiable {
    public var id: String
    public var partner: String
    /// The name shown to the usager and the agents (professional identity, not personal data of a usager).
    public var displayName: String
    /// The secret in the URL of this specialist's calendar feed.
    public var calendarToken: String

    public init(id: String, partner: String, displayName: String, calendarToken: String) {
        self.id = id
        self.partner = partner
        self.displayName = displayName
        self.calendarToken = calendarToken
    }
}
