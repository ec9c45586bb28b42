// @ts-check
/**
 * Terraform runs of the new-environment flow (issue 7): runs, per-stack results, redacted log lines
 * and the one-run-per-environment lock. The lock is a row keyed by environment, so the primary key
 * makes two backend instances on one database agree on who holds an environment.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('devops_app_terraform_runs', table => {
    table.string('id', 64).primary();
    table.string('environment', 64).notNullable().index();
    table.string('mode', 16).notNullable();
    table.string('status', 16).notNullable();
    table.string('created_by', 255).notNullable();
    table.string('task_id', 255).nullable();
    table.string('instance_id', 64).notNullable();
    table.bigInteger('heartbeat_at').notNullable();
    // Set by a cancel request on any instance; the instance running the run polls it.
    table.boolean('cancel_requested').notNullable().defaultTo(false);
    table.string('started_at', 32).notNullable();
    table.string('finished_at', 32).nullable();
    table.text('error').nullable();
  });
  await knex.schema.createTable('devops_app_terraform_stacks', table => {
    table
      .string('run_id', 64)
      .notNullable()
      .references('id')
      .inTable('devops_app_terraform_runs')
      .onDelete('CASCADE');
    table.string('stack', 32).notNullable();
    table.string('status', 16).notNullable();
    table.integer('plan_add').nullable();
    table.integer('plan_change').nullable();
    table.integer('plan_destroy').nullable();
    table.text('outputs').nullable();
    table.string('started_at', 32).nullable();
    table.string('finished_at', 32).nullable();
    table.text('error').nullable();
    table.primary(['run_id', 'stack']);
  });
  await knex.schema.createTable('devops_app_terraform_log', table => {
    table
      .string('run_id', 64)
      .notNullable()
      .references('id')
      .inTable('devops_app_terraform_runs')
      .onDelete('CASCADE');
    table.integer('seq').notNullable();
    table.string('stack', 32).notNullable();
    table.string('stream', 8).notNullable();
    table.text('line').notNullable();
    table.string('at', 32).notNullable();
    table.primary(['run_id', 'seq']);
  });
  await knex.schema.createTable('devops_app_terraform_locks', table => {
    table.string('environment', 64).primary();
    table.string('run_id', 64).notNullable();
    table.string('acquired_at', 32).notNullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('devops_app_terraform_locks');
  await knex.schema.dropTable('devops_app_terraform_log');
  await knex.schema.dropTable('devops_app_terraform_stacks');
  await knex.schema.dropTable('devops_app_terraform_runs');
};
