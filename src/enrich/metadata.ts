/**
 * What enrichment found for one email: the contract between the metadata store (src/enrich/) and the
 * record builder (src/ses/), which writes it into the Avro `metadata` block.
 */
export type MetadataStatus = 'FOUND' | 'NOT_FOUND' | 'ERROR' | 'SKIPPED';

export interface EmailMetadata {
  status: MetadataStatus;
  /** The item's attributes, each rendered as a string (numbers, booleans and sets are stringified). */
  attributes: Record<string, string>;
  /** Which table/key strategy answered, for debugging coverage in the warehouse. */
  source?: string;
  /** Why status is ERROR or SKIPPED; never contains email addresses. */
  reason?: string;
}
