import ConnectRuntime
import Hummingbird
import Logging
import NIOCore

/// Renders every failure as Connect's `{"error_code","message"}` body with the matching
/// status, as Apache's `ConnectExceptionMapper` does: herder errors with their status,
/// unknown paths 404 "HTTP 404 Not Found", known paths with another method 405, oversized
/// bodies 413, anything else 500 with the error's description.
struct ConnectErrorMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext

    let routes: RoutePatterns
    let maximumRequestBodyBytes: Int
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as ConnectRestError {
            if error.status >= 500 {
                logger.error("REST request failed", metadata: metadata(request, error))
            } else {
                logger.debug("REST request rejected", metadata: metadata(request, error))
            }
            return RestResponse.error(status: error.status, message: error.message)
        } catch let error as HTTPError where error.status == .notFound {
            if routes.matches(path: request.uri.path) {
                return RestResponse.error(status: 405, message: "HTTP 405 Method Not Allowed")
            }
            return RestResponse.error(status: 404, message: "HTTP 404 Not Found")
        } catch is NIOTooManyBytesError {
            return RestResponse.error(
                status: 413, message: "Request body is larger than the limit of \(maximumRequestBodyBytes) bytes")
        } catch let error as HTTPError {
            return RestResponse.error(status: Int(error.status.code), message: error.body ?? error.status.reasonPhrase)
        } catch is CancellationError {
            return RestResponse.error(status: 500, message: "Request interrupted")
        } catch {
            logger.error("Uncaught exception in REST call", metadata: metadata(request, error))
            return RestResponse.error(status: 500, message: "\(error)")
        }
    }

    private func metadata(_ request: Request, _ error: any Error) -> Logger.Metadata {
        ["rest.method": "\(request.method)", "rest.path": "\(request.uri.path)", "error": "\(error)"]
    }
}
