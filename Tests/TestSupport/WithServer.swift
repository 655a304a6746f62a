/// Something a test starts (a loopback server, a simulator, a harness) and must stop before it ends.
public protocol StoppableService: Sendable {
    func stop() async
}

/// Runs `body` with `service` and stops the service when the body returns or throws. A test awaits the stop, so
/// nothing it started outlives it (a `defer { Task { await stop() } }` would leave the stop to run whenever).
@discardableResult
public func withServer<Service: StoppableService, Result>(
    _ service: Service, isolation: isolated (any Actor)? = #isolation, _ body: (Service) async throws -> Result
) async throws -> Result {
    do {
        let result = try await body(service)
        await service.stop()
        return result
    } catch {
        await service.stop()
        throw error
    }
}

/// `withServer` over several services of one kind, stopped in order.
@discardableResult
public func withServers<Service: StoppableService, Result>(
    _ services: [Service], isolation: isolated (any Actor)? = #isolation, _ body: ([Service]) async throws -> Result
) async throws -> Result {
    do {
        let result = try await body(services)
        for service in services { await service.stop() }
        return result
    } catch {
        for service in services { await service.stop() }
        throw error
    }
}
