// Every statement the journal runs, prepared once when it opens.
import type Database from 'better-sqlite3';

export function prepareStatements(db: Database.Database) {
  const p = (sql: string) => db.prepare(sql);
  return {
    insertIncident: p(`INSERT INTO incidents (rule, severity, opened_at, status, trigger_json, when_text) VALUES (@rule, @severity, @at, 'open', @trigger, @whenText)`),
    closeIncident: p(`UPDATE incidents SET closed_at = @at, status = @status, detail = COALESCE(@detail, detail) WHERE id = @id`),
    openIncidents: p(`SELECT * FROM incidents WHERE status = 'open' ORDER BY id`),
    incident: p(`SELECT * FROM incidents WHERE id = ?`),
    recentIncidents: p(`SELECT * FROM incidents ORDER BY opened_at DESC, id DESC LIMIT ?`),

    insertAction: p(`INSERT INTO actions (incident_id, rule, step, attempt, type, target, description, started_at, status)
      VALUES (@incidentId, @rule, @step, @attempt, @type, @target, @description, @at, 'running')`),
    finishAction: p(`UPDATE actions SET ended_at = @at, status = @status, result = @result, exit_code = @exitCode, signal = @signal,
      duration_ms = @durationMs, output_tail = @outputTail, message = @message, details_json = @details WHERE id = @id`),
    runningActions: p(`SELECT * FROM actions WHERE status = 'running' ORDER BY id`),
    setActionPgid: p(`UPDATE actions SET pgid = @pgid WHERE id = @id`),
    runningActionProcesses: p(`SELECT id, rule, incident_id, pgid FROM actions WHERE status = 'running' AND pgid IS NOT NULL ORDER BY id`),
    interruptAction: p(`UPDATE actions SET ended_at = @at, status = 'interrupted', duration_ms = @at - started_at, message = @message WHERE id = @id`),
    incidentActions: p(`SELECT * FROM actions WHERE incident_id = ? ORDER BY started_at, id`),

    insertEvent: p(`INSERT INTO events (at, incident_id, rule, kind, message, data_json) VALUES (@at, @incidentId, @rule, @kind, @message, @data)`),
    incidentEvents: p(`SELECT * FROM events WHERE incident_id = ? ORDER BY at, id`),

    upsertRuleState: p(`INSERT INTO rule_states (rule, state_json, incident_id, saved_at) VALUES (@rule, @state, @incidentId, @at)
      ON CONFLICT (rule) DO UPDATE SET state_json = excluded.state_json, incident_id = excluded.incident_id, saved_at = excluded.saved_at`),
    ruleStates: p(`SELECT * FROM rule_states ORDER BY rule`),

    insertPage: p(`INSERT INTO pages (incident_id, rule, created_at, status, attempts, next_attempt_at, updated_at, payload_json, route)
      VALUES (@incidentId, @rule, @at, 'pending', 0, @at, @at, @payload, @route)`),
    page: p(`SELECT * FROM pages WHERE id = ?`),
    duePages: p(`SELECT * FROM pages WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY created_at, id LIMIT ?`),
    pendingPageFor: p(`SELECT * FROM pages WHERE status = 'pending' AND incident_id = ? ORDER BY id DESC LIMIT 1`),
    incidentPages: p(`SELECT * FROM pages WHERE incident_id = ? ORDER BY created_at, id`),
    replacePagePayload: p(`UPDATE pages SET payload_json = @payload, updated_at = @at WHERE id = @id AND status = 'pending'`),
    markPageSent: p(`UPDATE pages SET status = 'sent', attempts = attempts + 1, sent_at = @at, updated_at = @at WHERE id = @id`),
    markPageRetry: p(`UPDATE pages SET attempts = attempts + 1, last_error = @error, next_attempt_at = @nextAttemptAt, updated_at = @at WHERE id = @id`),
    markPageFailed: p(`UPDATE pages SET status = 'failed', attempts = attempts + 1, last_error = @error, updated_at = @at WHERE id = @id`),
    markPageNoWebhook: p(`UPDATE pages SET status = 'no-webhook', updated_at = @at WHERE id = @id`),
    deferPendingPages: p(`UPDATE pages SET next_attempt_at = @until, updated_at = @at WHERE status = 'pending' AND next_attempt_at < @until`),
    pageCounts: p(`SELECT status, COUNT(*) AS n FROM pages GROUP BY status`),
    // Only unsettled pages: once everything is sent, there is no "last error" to show.
    lastPageError: p(`SELECT last_error FROM pages WHERE status IN ('pending', 'failed') AND last_error IS NOT NULL ORDER BY updated_at DESC, id DESC LIMIT 1`),

    pruneEvents: p(`DELETE FROM events WHERE at < ?`),
    pruneActions: p(`DELETE FROM actions WHERE status <> 'running' AND COALESCE(ended_at, started_at) < ?`),
    prunePages: p(`DELETE FROM pages WHERE status <> 'pending' AND updated_at < ?`),
    // Foreign keys are on (better-sqlite3's default): an incident goes once nothing points at it.
    pruneIncidents: p(`DELETE FROM incidents WHERE closed_at IS NOT NULL AND closed_at < ?
      AND NOT EXISTS (SELECT 1 FROM actions WHERE incident_id = incidents.id)
      AND NOT EXISTS (SELECT 1 FROM events WHERE incident_id = incidents.id)
      AND NOT EXISTS (SELECT 1 FROM pages WHERE incident_id = incidents.id)`),
  };
}

export type Statements = ReturnType<typeof prepareStatements>;
