/// The label a structure holds, which sets the legal minimum of its opening hours.
public enum StructureLabel: String, CaseIterable, Sendable {
    /// A France Services structure: ≥ 24 h a week over ≥ 5 days
    /// (France Services FAQ, "Chaque France Services sera ouverte au moins 5 jours par
    /// semaine sur une amplitude minimale de 24h hebdomadaires").
    case franceServices = "france-services"
    /// A Maison de services au public: ≥ 24 h a week over ≥ 3 days
    /// (model MSAP framework convention).
    case msap = "msap"
    /// A Caf "Point numérique": ≥ 4 half-days and ≥ 12 h a week (Caf convention).
    case pointNumeriqueCaf = "point-numerique-caf"

    public var french: String {
        switch self {
        case .franceServices: "France Services"
        case .msap: "Maison de services au public"
        case .pointNumeriqueCaf: "Point numérique Caf"
        }
    }
}
