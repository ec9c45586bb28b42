// @ts-check
/**
 * Drift checks of environments (issue 13): one row per stack per check, with the result (in-sync,
 * drifted with the plan's counts, failed with the reason), when it ended and the commit it checked.
 * The latest row per environment and stack is what the routes serve.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('devops_app_terraform_drift', table => {
    table.increments('id');
    table.string('environment', 64).notNullable();
    table.string('stack', 32).notNullable();
    table.string('status', 16).notNullable();
    table.integer('add').nullable();
    table.integer('change').nullable();
    table.integer('destroy').nullable();
    table.text('error').nullable();
    table.string('commit', 64).nullable();
    table.string('trigger', 16).notNullable();
    table.string('checked_at', 32).notNullable();
    table.index(
      ['environment', 'stack', 'checked_at'],
      'devops_app_terraform_drift_latest',
    );
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('devops_app_terraform_drift');
};
