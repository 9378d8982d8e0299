import Foundation
import Hummingbird

/// A folder of static files under a URL prefix, served by Hummingbird's `FileMiddleware`
/// (ETag, ranges, caching). Only requests under the prefix reach it: the file middleware
/// answers any other route's 404 by looking for a file, and a path with `..` anywhere would
/// then get its 400 instead of the route's own answer.
struct StaticFolder<Context: RequestContext>: RouterMiddleware {
    let prefix: String
    let files: FileMiddleware<Context, LocalFileSystem>

    init(_ folder: URL, at prefix: String) {
        self.prefix = prefix + "/"
        files = FileMiddleware(
            folder.path, urlBasePath: prefix, cacheControl: CacheControl([(MediaType(type: .any), [.public, .maxAge(3600)])]), searchForIndexHtml: false)
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.uri.path.hasPrefix(prefix) else { return try await next(request, context) }
        return try await files.handle(request, context: context, next: next)
    }
}
