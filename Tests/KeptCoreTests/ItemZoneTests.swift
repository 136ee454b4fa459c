import Foundation
import Testing
@testable import KeptCore

// The dates in this file are an injected clock's or plain data: no test here reads the wall
// clock to judge them, so none of them can pass and expire.

/// A daemon in UTC (a user service does not see the shell's `TZ`) and a user in New York: what the
/// user makes keeps New York's local times, across the March change, and is spoken of there.
@Suite struct ItemZoneTests {
    let t0 = at("2027-03-10 08:00", newYork)

    func openedInNewYork() throws -> Engine {
        var e = engine(utc)
        _ = try e.perform(Methods.IncidentOpen.self, Params.Open(client: "Acme", title: "Wrong invoice", zone: "America/New_York"), now: t0)
        return e
    }

    @Test func aDailyPromiseStaysAtNineInTheMorningWhereItWasMadeAcrossTheChange() throws {
        var e = try openedInNewYork()
        let r = try e.perform(Methods.PromiseAdd.self,
                              Params.Promise(incident: 1, text: "status call", every: "1d", from: "2027-03-12T09:00",
                                             until: "2027-03-16", zone: "America/New_York"), now: t0)
        let dues = r.item.occurrences.map(\.due)
        // 14:00 UTC while New York is on EST (-5), 13:00 UTC once it is on EDT (-4) from the 14th.
        #expect(dues == ["2027-03-12T14:00:00Z", "2027-03-13T14:00:00Z", "2027-03-14T13:00:00Z",
                         "2027-03-15T13:00:00Z", "2027-03-16T13:00:00Z"])
        #expect(r.item.zone == "America/New_York")
        // The incident already lives in New York: the promise inherits its zone, stored once.
        #expect(try #require(e.state.incident(1)).items.last?.zone == nil)
        // The due reminder after the change is at 09:00 New York too.
        let after = at("2027-03-15 09:00", newYork)
        #expect(!e.fire(at: after - 1).contains("1.14#4/due"))
        #expect(e.fire(at: after).contains("1.14#4/due"))
    }

    @Test func theSameInTheDaemonsZoneDriftsAnHour() throws {
        // What a promise made without its zone does: it follows UTC, and New York sees 10:00.
        var e = try openedInNewYork()
        let r = try e.perform(Methods.PromiseAdd.self,
                              Params.Promise(incident: 1, text: "status call", every: "1d", from: "2027-03-12T14:00:00Z",
                                             until: "2027-03-16", zone: "UTC"), now: t0)
        #expect(r.item.zone == "UTC")
        let local = r.item.occurrences.map { newYork.format(Due(stored: $0.due)!.instant(in: utc, remindAt: TimeOfDay(hour: 9, minute: 0))) }
        #expect(local.first == "2027-03-12 09:00" && local.last == "2027-03-16 10:00")
    }

    @Test func playbookCheckinsAndDateOnlyDuesFollowTheIncidentsZone() throws {
        let e = try openedInNewYork()
        let incident = try #require(e.state.incident(1))
        #expect(incident.zone == "America/New_York")
        // acknowledge: noticed + 24 h, 08:00 in New York.
        #expect(incident.items[0].due == .at(at("2027-03-11 08:00", newYork)))
        // A check-in is a date; its due reminder is remind_at (09:00) on that day in New York.
        let checkin = try #require(incident.items.first { $0.kind == .checkin })
        #expect(checkin.due == .on(date("2027-03-17")))
        let numbered = try #require(e.occurrences(of: checkin, in: incident).first)
        #expect(numbered.times.due == at("2027-03-17 09:00", newYork))
        #expect(numbered.times.graceEnd == at("2027-03-18 00:00", newYork) - 1)
    }

    @Test func messagesSayTimesInTheUsersZone() throws {
        var e = try openedInNewYork()
        _ = try e.perform(Methods.PromiseAdd.self, Params.Promise(incident: 1, text: "call back", due: "2027-03-12T15:00", zone: "America/New_York"), now: t0)
        let snoozed = try e.perform(Methods.ItemSnooze.self, Params.Snooze(item: "1.14", until: "2027-03-11T10:00", zone: "America/New_York"), now: t0)
        #expect(snoozed.message.contains("snoozed until 2027-03-11 10:00; still due 2027-03-12 15:00"), "\(snoozed.message)")
        // A user in Berlin reads the same due in Berlin's time.
        let there = try e.perform(Methods.ItemSnooze.self, Params.Snooze(item: "1.14", duration: "1h", zone: "Europe/Berlin"), now: t0)
        #expect(there.message.contains("still due 2027-03-12 21:00"), "\(there.message)")
    }

    @Test func aPromiseMadeElsewhereKeepsItsOwnZone() throws {
        var e = try openedInNewYork()
        let r = try e.perform(Methods.PromiseAdd.self,
                              Params.Promise(incident: 1, text: "Berlin office", every: "1w", from: "2027-03-22T09:00",
                                             until: "2027-04-05", zone: "Europe/Berlin"), now: t0)
        #expect(r.item.zone == "Europe/Berlin")
        #expect(try #require(e.state.incident(1)).items.last?.zone == "Europe/Berlin")
        // Berlin changes on 28 March: 08:00 UTC before, 07:00 UTC after — 09:00 in Berlin each week.
        #expect(r.item.occurrences.map(\.due) == ["2027-03-22T08:00:00Z", "2027-03-29T07:00:00Z", "2027-04-05T07:00:00Z"])
    }

    @Test func anUnknownZoneIsRefusedByNameAndChangesNothing() throws {
        var e = try openedInNewYork()
        let before = e.state
        #expect {
            try e.perform(Methods.PromiseAdd.self, Params.Promise(incident: 1, text: "x", due: "+1d", zone: "Mars/Olympus_Mons"), now: t0)
        } throws: { ($0 as? KeptError)?.field == "zone" && "\($0)".contains("Mars/Olympus_Mons") }
        #expect {
            try e.perform(Methods.IncidentOpen.self, Params.Open(client: "B", title: "y", zone: "../../etc/passwd"), now: t0)
        } throws: { ($0 as? KeptError)?.field == "zone" }
        #expect(e.state == before)
    }

    @Test func theZoneIsStoredWithTheItemAndReadBack() throws {
        var e = try openedInNewYork()
        _ = try e.perform(Methods.PromiseAdd.self, Params.Promise(incident: 1, text: "x", due: "2027-03-12T15:00", zone: "Asia/Tokyo"), now: t0)
        let incident = try #require(e.state.incident(1))
        let read = try JSONDecoder().decode(Incident.self, from: JSONEncoder().encode(incident))
        #expect(read.zone == "America/New_York" && read.items.last?.zone == "Asia/Tokyo")
        // A stored item whose zone the system no longer knows is read in the daemon's zone.
        var lost = read
        lost.items[lost.items.count - 1].zone = "Gone/Away"
        #expect(Rules(config: Config(), zone: utc).for(lost.items.last!, in: lost).zone.identifier == "UTC")
    }

    @Test func zonesAreReadOnceAndPosixRulesWork() throws {
        #expect(Zone.named("America/New_York")?.identifier == "America/New_York")
        #expect(Zone.named("EST5EDT,M3.2.0,M11.1.0") != nil)
        #expect(Zone.named("Nowhere/Atall") == nil)
        #expect(Zone.named("/etc/localtime") == nil)
        #expect(newYork.portableName == "America/New_York")
    }
}
