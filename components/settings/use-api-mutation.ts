"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { ApiClientError } from "@/components/api-client";

/** A mutation that refreshes the given query when it succeeds and exposes a typed error. */
export function useApiMutation<TInput, TResult>(queryKey: readonly unknown[], run: (input: TInput) => Promise<TResult>) {
  const client = useQueryClient();
  const mutation = useMutation<TResult, ApiClientError, TInput>({
    mutationFn: run,
    onSuccess: () => client.invalidateQueries({ queryKey }),
  });
  return mutation;
}
