/// The shape of `config.yaml`: every key kept knows, as it is written in the file.
enum ConfigSchema: Sendable {
    case value
    case list
    case section([String: ConfigSchema])

    static let root: [String: ConfigSchema] = [
        "window_days": .value,
        "remind_at": .value,
        "lead_days": .value,
        "overdue_nudges": .value,
        "missed_after_days": .value,
        "playbook": .section([
            "acknowledge": .value, "understand_impact": .value, "root_cause": .value, "share_plan": .value,
        ]),
        "checkins": .section(["first_every": .value, "first_weeks": .value, "then_every": .value]),
        "warnings": .section(["max_due_per_week": .value, "min_rate": .value]),
        "digest": .section(["enabled": .value, "weekday": .value]),
        "channels": .section([
            "maildir": .section(["enabled": .value, "path": .value]),
            "email": .section([
                "enabled": .value, "to": .list, "from": .value, "sendmail": .list, "timeout_seconds": .value,
            ]),
            "command": .section(["enabled": .value, "argv": .list, "timeout_seconds": .value]),
        ]),
        "retry": .section(["first_seconds": .value, "cap_seconds": .value]),
        "calendar": .section([
            "url": .value, "username": .value, "password_file": .value, "interval_minutes": .value, "alarms": .value,
        ]),
        "reply": .section([
            "address": .value, "from": .list, "watch": .value, "authentication": .value, "trusted_authserv_id": .value,
        ]),
        "letters": .section(["signature": .value, "drafts": .value]),
    ]

    /// Every leaf key, dotted (`channels.email.to`).
    static var keys: [String] {
        func leaves(_ schema: [String: ConfigSchema], _ prefix: String) -> [String] {
            schema.flatMap { name, s -> [String] in
                let path = prefix.isEmpty ? name : prefix + "." + name
                if case .section(let inner) = s { return leaves(inner, path) }
                return [path]
            }
        }
        return leaves(root, "").sorted()
    }
}
