// @ts-check
/**
 * Plan approval of terraform applies (issue 13): a run records whether its apply needs an approved
 * plan, when its plans were saved, who approved or rejected them with what comment, and a digest of
 * the environment's files it planned with (the staleness check compares the branch head's); each saved
 * plan keeps the redacted `terraform show -no-color` the approver reviewed.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  // `awaiting-approval` is 17 characters (SQLite does not bound a varchar's length).
  if (!String(knex.client.config.client).includes('sqlite')) {
    await knex.schema.alterTable('devops_app_terraform_runs', table => {
      table.string('status', 32).notNullable().alter();
    });
  }
  await knex.schema.alterTable('devops_app_terraform_runs', table => {
    table.boolean('requires_approval').notNullable().defaultTo(false);
    table.string('planned_at', 32).nullable();
    table.string('files_digest', 64).nullable();
    table.string('decision', 16).nullable();
    table.string('decided_by', 255).nullable();
    table.string('decided_at', 32).nullable();
    table.text('decision_comment').nullable();
  });
  await knex.schema.alterTable('devops_app_terraform_plans', table => {
    table.text('show_text').nullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('devops_app_terraform_plans', table => {
    table.dropColumn('show_text');
  });
  await knex.schema.alterTable('devops_app_terraform_runs', table => {
    for (const column of [
      'decision_comment',
      'decided_at',
      'decided_by',
      'decision',
      'files_digest',
      'planned_at',
      'requires_approval',
    ]) {
      table.dropColumn(column);
    }
  });
};
