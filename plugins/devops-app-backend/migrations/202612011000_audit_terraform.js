// @ts-check
/**
 * Terraform run decisions in the audit log (issue 13): plan, apply, destroy, approve and cancel of an
 * environment, allowed or denied, each entry naming the run it started or acted on.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('devops_app_deployment_audit', table => {
    table.string('run_id', 64).nullable();
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('devops_app_deployment_audit', table => {
    table.dropColumn('run_id');
  });
};
