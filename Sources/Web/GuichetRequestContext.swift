import Foundation
import Agenda
import StructureConfig
import Hummingbird
import NIOCore
import Store

/// The request context of every route: who is calling (the session found from the cookie
/// by `SessionMiddleware`) and from where (for the sign-in rate limit).
public struct GuichetRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?
    public var session: WebSession?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// The address used by the rate limit: the peer's IP, without the port.
    var clientAddress: String { remoteAddress?.ipAddress ?? "unknown" }

    /// The signed-in agent, whatever the role.
    var agent: Agent? { session?.kind == .agent ? session?.agent : nil }
}
