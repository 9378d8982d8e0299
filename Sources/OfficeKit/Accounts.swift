import Agenda
import StructureConfig
import Devices
import Foundation
import HummingbirdBcrypt
import Store

/// Agents' passwords: bcrypt, computed off the event loops (a hash takes a good fraction
/// of a second by design).
public enum Accounts {
    public static let minimumPasswordLength = 12

    /// A hash no password matches, verified for unknown logins so that their answer takes
    /// as long as a wrong password's.
    public static let decoyHash = Bcrypt.hash("decoy password that nobody types", cost: 10)

    public static func hash(_ password: String, cost: Int) async -> String {
        await OffPool.run { Bcrypt.hash(password, cost: UInt8(cost)) }
    }

    public static func verify(_ password: String, hash: String) async -> Bool {
        await OffPool.run { Bcrypt.verify(password, hash: hash) }
    }

    /// Why a new password is refused, or nil.
    public static func weakness(of password: String, login: String) -> String? {
        if password.count < minimumPasswordLength { return "Le mot de passe doit compter au moins \(minimumPasswordLength) caractères." }
        if password.count > 72 { return "Le mot de passe ne peut dépasser 72 caractères." }
        if password.lowercased().contains(login.lowercased()) { return "Le mot de passe ne doit pas contenir l’identifiant." }
        if Set(password).count < 5 { return "Le mot de passe est trop répétitif." }
        return nil
    }
}

extension Office {
    /// Creates an account with a hashed password, refusing a weak one.
    public func addAgent(login: String, displayName: String, role: AgentRole, password: String, actor: String) async throws -> Agent {
        if let weakness = Accounts.weakness(of: password, login: login) {
            throw AgendaError.invalidField("password", french: weakness, english: "The password is too weak.")
        }
        let hash = await Accounts.hash(password, cost: config.console.passwordCost)
        return try await database.addAgent(login: login, displayName: displayName, role: role, passwordHash: hash, actor: actor, now: clock())
    }

    /// Purges personal data whose retention has ended (the daily job and `guichet purge`).
    public func purgePersonalData(actor: String) async throws -> PurgeReport {
        let r = config.console.retention
        return try await database.purgePersonalData(
            bookingDays: r.bookings, contactNoteDays: r.contactNotes, referralDays: r.referrals, mandateDays: r.mandates, messageDays: r.messages, actor: actor,
            now: clock())
    }
}
