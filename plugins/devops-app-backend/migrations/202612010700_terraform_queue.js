// @ts-check
/**
 * Terraform runs across instances (issue 13): a run is first `queued`, then claimed by any instance
 * (the lock row of 202611250700 is inserted at the claim, so its primary key still decides who holds
 * an environment); the run records where its configuration came from (`source`, `commit`) and when it
 * was claimed; each stack's saved plan file is kept with its checksum, for the approval of a plan to
 * apply exactly what was reviewed.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('devops_app_terraform_runs', table => {
    table.string('source', 16).notNullable().defaultTo('checkout');
    table.string('commit', 64).nullable();
    table.string('claimed_at', 32).nullable();
    table.index(['status', 'started_at'], 'devops_app_terraform_runs_queue');
  });
  await knex.schema.createTable('devops_app_terraform_plans', table => {
    table
      .string('run_id', 64)
      .notNullable()
      .references('id')
      .inTable('devops_app_terraform_runs')
      .onDelete('CASCADE');
    table.string('stack', 32).notNullable();
    // sha256 of `content`, checked again before the plan is applied.
    table.string('sha256', 64).notNullable();
    table.integer('size').notNullable();
    table.binary('content').notNullable();
    table.string('created_at', 32).notNullable();
    table.primary(['run_id', 'stack']);
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('devops_app_terraform_plans');
  await knex.schema.alterTable('devops_app_terraform_runs', table => {
    table.dropIndex(
      ['status', 'started_at'],
      'devops_app_terraform_runs_queue',
    );
    table.dropColumn('claimed_at');
    table.dropColumn('commit');
    table.dropColumn('source');
  });
};
