{#-
    OPCC: the Independent Sexual Violence Advocate service's quarterly return, one row
    per quarter of the 12 months to the export quarter's end, one column per measure of
    the return (returns.md; seed ref_service_return_measures). The three services' tables
    are the same SQL: macros/publish_service_returns.sql.
-#}
{{ publish_service_return('isva') }}
