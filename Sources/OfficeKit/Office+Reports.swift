import Agenda
import Foundation
import Reports
import Store
import StructureConfig

extension Office {
    /// The activity report over `period`, from the stored data as it is now.
    public func report(_ period: ReportPeriod) async throws -> Report {
        let activity = try await database.activity(in: period.span(in: structure.timeZone))
        let plan = try await database.hoursPlan(default: structure, now: clock())
        let data = ReportData(
            period: period, structure: structure, contacts: activity.contacts, bookings: activity.bookings, stationUses: activity.uses,
            referrals: activity.referrals, satisfaction: activity.satisfaction, messages: activity.messages, closures: activity.closures,
            opening: plan.calendar)
        return ActivityReport.compute(data, generatedAt: clock())
    }
}
