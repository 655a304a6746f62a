import Foundation

/// Whether a suggested action makes sense against the snapshot behind the context, beyond naming things PD
/// lists: a model can be talked into suggesting anything, and a person reading "take store 1 offline" under a
/// diagnosis may take it for advice. Each rule answers why an action is dropped, or nil.
enum ActionPlausibility {
    static func objection(to action: Action, context c: DiagnosisContext) -> String? {
        let kind = action.kind.rawValue
        // A region the context does not show is one the model cannot know exists (`2^64 − 1` is no region).
        if let region = action.regionID, !c.shownRegionIDs.contains(region) {
            return "\(kind) names region \(region), which the context does not show"
        }
        // Taking a healthy store offline moves every region off it: never a remedy worth suggesting.
        if action.kind == .offlineStore, let id = action.storeID {
            guard let store = c.store(id) else { return "offlineStore names store \(id), whose state the context does not show" }
            if isUpAndAlive(store) { return "offlineStore of store \(id), which is Up and alive" }
        }
        // The store an action works on (not a move's target) must be one the ticket is about, or one in trouble.
        let concerned = c.ticketStoreIDs
        for id in [action.storeID, action.fromStoreID].compactMap({ $0 }) where !concerned.contains(id) {
            guard let store = c.store(id) else {
                // Left out of the context: a tombstone, or a store ranked last when the list was cut (Up and alive).
                return "\(kind) acts on store \(id), which the context does not show in trouble, and not what ticket \(c.ticket.name) is about"
            }
            if isUpAndAlive(store) {
                return "\(kind) acts on store \(id), which is Up and alive and not what ticket \(c.ticket.name) is about"
            }
        }
        // PD's own schedulers (its balancers above all) are removed only for a ticket about that scheduler: a remedy
        // for another ticket that turns PD's scheduling off is what an injected instruction would ask for.
        if action.kind == .removeScheduler, let name = action.scheduler, c.ticket.subject != "scheduler/\(name)" {
            return "removeScheduler of \(name), which ticket \(c.ticket.name) is not about"
        }
        // A move's target must be able to take what is moved.
        if let to = action.toStoreID, let store = c.store(to), !isUpAndAlive(store) {
            return "\(kind) moves to store \(to), which is not Up and alive (\(store.state), \(store.liveness))"
        }
        return nil
    }

    static func isUpAndAlive(_ s: DiagnosisContext.StoreFacts) -> Bool { s.state == "Up" && s.liveness == "alive" }
}

extension DiagnosisContext {
    /// The regions the context names (its hot regions): the only ones a suggestion may act on.
    var shownRegionIDs: Set<UInt64> { Set(hotRegions.map(\.regionID)) }

    /// The stores the ticket is about: its subject's, and those its readings name (`store3Count`: a skew ticket's
    /// stores outside their band).
    var ticketStoreIDs: Set<UInt64> {
        var ids = Set(subjectStoreID.map { [$0] } ?? [])
        for reading in ticket.readings {
            guard reading.name.hasPrefix("store") else { continue }
            let digits = reading.name.dropFirst("store".count).prefix { $0.isNumber }
            if let id = UInt64(digits) { ids.insert(id) }
        }
        return ids
    }
}
