/*
 * not_a_model.c — a shared object that loads but exports no
 * usim_model_entry: what usim-batch must refuse as a model (plugin.sh).
 */
int not_a_model_answer(void);

int not_a_model_answer(void)
{
    return 42;
}
